# La page d'envoi (src/pages/upload.rs).
upload-title = Envoyer
upload-to-account = Les fichiers vont dans votre compte, { $name }.
upload-anonymous = Vous n'êtes pas connecté : les fichiers sont envoyés anonymement, chacun avec son propre lien de suppression.
upload-anonymous-off = Le dépôt sans compte est désactivé sur ce serveur : connectez-vous pour envoyer des fichiers.
upload-unavailable = La page d'envoi ne peut pas être affichée pour le moment. Veuillez réessayer dans un instant.
upload-needs-js = Cette page a besoin de JavaScript pour envoyer des fichiers.
upload-drop = Déposez des fichiers ici
upload-or = ou
upload-choose = Choisir des fichiers à envoyer
upload-chosen = Fichiers choisis
upload-optional = (facultatif)
upload-description = Description
upload-password = Mot de passe de téléchargement
upload-password-hint = Demandé sur la page de téléchargement.
upload-recipients = Envoyer le lien par e-mail à
upload-recipients-hint = Adresses e-mail, séparées par des virgules.
upload-message = Message aux destinataires
upload-expiry = Expire après
upload-expiry-hint = Le fichier est alors supprimé.
upload-downloads = Limite de téléchargements
upload-downloads-hint = Supprimé après ce nombre de téléchargements.
upload-folder = Dossier
upload-folder-root = Mes fichiers (racine)
upload-bundle = Un seul lien pour tous les fichiers (s'il y en a plusieurs)
upload-start = Envoyer
upload-results = Envois
upload-never = Jamais
upload-days = { $count ->
        [one] { $count } jour
       *[other] { $count } jours
    }
upload-hours = { $count ->
        [one] { $count } heure
       *[other] { $count } heures
    }
upload-minutes = { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
upload-seconds = { $count ->
        [one] { $count } seconde
       *[other] { $count } secondes
    }
upload-not-logged-in = Non connecté
upload-csrf-refused = La page a expiré ou ne provient pas de ce site ; rechargez-la.

# Pour le script de la page (src/pages/static/upload.js) ; les variables
# restent sous la forme {name}, le script les remplace.
upload-js-bytes-one = { $count } octet
upload-js-bytes-other = { $count } octets
upload-js-uploading-one = Envoi de { $count } fichier…
upload-js-uploading-other = Envoi de { $count } fichiers…
upload-js-retry-one = Échec de { $count } fichier : cliquez sur « Envoyer » pour réessayer.
upload-js-retry-other = Échec de { $count } fichiers : cliquez sur « Envoyer » pour réessayer.
upload-js-copy = Copier
upload-js-copied = Copié
upload-js-link-download = Téléchargement
upload-js-link-delete = Suppression
upload-js-link-bundle = Lot
upload-js-link-receipt = Reçu
upload-js-copy-download = Copier le lien de téléchargement de { $name }
upload-js-copy-delete = Copier le lien de suppression de { $name }
upload-js-copy-bundle = Copier le lien du lot de { $name }
upload-js-copy-receipt = Copier le lien du reçu de { $name }
upload-js-copied-download = Lien de téléchargement de { $name } copié dans le presse-papiers
upload-js-copied-delete = Lien de suppression de { $name } copié dans le presse-papiers
upload-js-copied-bundle = Lien du lot de { $name } copié dans le presse-papiers
upload-js-copied-receipt = Lien du reçu de { $name } copié dans le presse-papiers
upload-js-upload-failed = Échec de l'envoi
upload-js-connection-failed = La connexion a échoué
upload-js-was-cancelled = L'envoi a été annulé
upload-js-secs = { $s } s
upload-js-mins = { $m } min { $s } s
upload-js-hours = { $h } h { $m } min
upload-js-speed = · { $rate }/s, encore { $left }
upload-js-resuming = Reprise de l'envoi laissé inachevé…
upload-js-cancel = Annuler
upload-js-cancel-label = Annuler l'envoi de { $name }
upload-js-progress-label = Envoi de { $name }
# Several files at once: their sum ($count is at least 2).
upload-js-overall = Les { $count } fichiers
upload-js-overall-label = Envoi de tous les fichiers
upload-js-too-large = Le fichier dépasse la taille maximale autorisée ({ $max })
upload-js-scanning = Enregistré. Le fichier est en cours d'analyse antivirus ; ses liens fonctionneront dès qu'il sera reconnu sain.
upload-js-done = Terminé.
upload-js-cancelled = Annulé.
upload-js-failed = Échec : { $reason }
upload-js-one-link = Un seul lien pour les { $count } fichiers
upload-js-all-files = les { $count } fichiers
upload-js-qr-alt = QR code du lien vers les { $count } fichiers
upload-js-bundle-ready = Un seul lien pour les { $count } fichiers est prêt.
upload-js-choose-first = Choisissez d'abord un fichier.
upload-js-folder-name = Envoi du { $when }
upload-js-bundle-failed = Les fichiers sont enregistrés, mais le lien commun a échoué : { $reason }
