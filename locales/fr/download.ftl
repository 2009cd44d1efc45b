# La page de téléchargement, /file/{id} (src/pages/download.rs).
download-unavailable = Cette page ne peut pas être affichée pour le moment.
download-wrong-password = Mot de passe incorrect. Un mot de passe erroné ou vide a été saisi.
download-password-wait = Trop de mots de passe incorrects. Attendez { $seconds ->
        [one] { $seconds } seconde
       *[other] { $seconds } secondes
    } avant de réessayer.
download-button = Télécharger
download-preview-shared = Un fichier partagé avec vous
download-preview-open = Ouvrez le lien pour le télécharger.
download-preview-size = { $size } à télécharger.
download-preview-picture = Une miniature de { $name }
download-protected = Ce fichier est protégé par un mot de passe.
download-password = Mot de passe
download-unlock = Déverrouiller
download-description = Description
download-checksum = Somme de contrôle
download-name = Nom
download-size = Taille
download-size-exact = { $size } ({ $bytes ->
        [one] { $bytes } octet
       *[other] { $bytes } octets
    })
download-uploaded = Envoyé le
download-expires = Expire le
download-downloads-left = Téléchargements restants
download-expired = Ce fichier a expiré : il pouvait être téléchargé jusqu'au { $date }.
download-limit-reached = Ce fichier ne peut plus être téléchargé : sa limite de téléchargements est atteinte.
download-not-found-title = Fichier introuvable
download-not-found-text = Aucun fichier ne correspond à ce lien. Il a peut-être été supprimé par son propriétaire, ou le lien est incomplet.
download-encrypted = Chiffré de bout en bout
download-encrypted-how = Le serveur ne peut pas lire ce fichier. Déchiffrez-le ci-dessous dans ce navigateur, ou après le téléchargement avec age : `age -d -i key.txt` (ou la phrase secrète), ou avec `dropspace client download` et le lien que vous avez reçu.
