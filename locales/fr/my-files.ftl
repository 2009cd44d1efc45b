# Mes fichiers, /files et ses pages de modification (src/pages/my_files/, docs/my-files.md).
my-files-title = Mes fichiers
my-files-back = Retour à mes fichiers
my-files-error = { $text } (erreur { $code })
my-files-usage = Utilisation
my-files-disk = Espace disque
my-files-bandwidth = Bande passante ce mois-ci
my-files-used-of = { $used } sur { $total }
my-files-used-no-limit = { $used } utilisés, sans limite
my-files-no-limit = Sans limite
my-files-breadcrumb = Fil d’Ariane
my-files-up = Remonter
my-files-edit-folder = Modifier le dossier
my-files-search-title = Fichiers dont le nom contient { $query }, dans tous vos dossiers
my-files-clear-search = Effacer la recherche
my-files-new-folder = Nouveau dossier
my-files-create = Créer
my-files-search = Rechercher
my-files-select = Sélectionner
my-files-select-all = Sélectionner tous les fichiers
my-files-select-file = Sélectionner { $name }
my-files-actions = Actions
my-files-name = Nom
my-files-size = Taille
my-files-uploaded = Envoyé le
my-files-downloads = Téléchargements
my-files-expires = Expire
my-files-downloads-of = { $count } sur { $limit }
my-files-blocked = Bloqué
my-files-never = Jamais
my-files-password-tag = Mot de passe
my-files-in-folder = dans { $folder }
my-files-copy-link = Copier le lien
my-files-copy-link-to = Copier le lien de { $name }
my-files-copied = Copié
my-files-link-copied = Lien copié
my-files-copy-failed = Le lien n’a pas pu être copié
my-files-picked-one = 1 fichier sélectionné
my-files-picked-many = {"{"}n{"}"} fichiers sélectionnés
my-files-edit = Modifier
my-files-edit-file = Modifier { $name }
my-files-edit-folder-named = Modifier le dossier { $name }
my-files-delete = Supprimer
my-files-delete-file = Supprimer { $name }
my-files-empty-title = Rien pour l’instant
my-files-empty-root = Les fichiers que vous envoyez en étant connecté apparaissent ici.
my-files-empty-folder = Ce dossier est vide.
my-files-no-match-title = Aucun fichier trouvé
my-files-no-match = Aucun de vos fichiers ne porte un tel nom.
my-files-upload = Envoyer un fichier
my-files-selected-files = Fichiers sélectionnés
my-files-with-selected = Avec les fichiers sélectionnés :
my-files-move-to = Déplacer vers
my-files-move = Déplacer
my-files-mail-links = Envoyer les liens par e-mail
my-files-public-page = page publique
my-files-public-page-of = Page publique de { $name }
my-files-share = Partager
my-files-share-named = Partager { $name }
my-files-unshare = Ne plus partager
my-files-unshare-named = Ne plus partager { $name }
my-files-choose-files = Choisissez au moins un fichier
my-files-delete-title = Supprimer des fichiers
my-files-delete-question = { $count ->
        [one] Supprimer { $name } ?
       *[other] Supprimer ces { $count } fichiers ?
    }
my-files-delete-warning = Leurs liens cessent aussitôt de fonctionner.
my-files-cancel = Annuler
my-files-mail-title = Envoyer les liens par e-mail
my-files-mail-lead = Envoyer par e-mail les liens de ces fichiers :
my-files-mail-to = À
my-files-mail-to-hint = Adresses e-mail, séparées par des virgules.
my-files-message = Message
my-files-optional = (facultatif)
my-files-send = Envoyer
my-files-mailed = { $count ->
        [one] Les liens ont été envoyés à { $count } destinataire.
       *[other] Les liens ont été envoyés à { $count } destinataires.
    }
my-files-expiry-minutes = { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
my-files-expiry-hours = { $count ->
        [one] { $count } heure
       *[other] { $count } heures
    }
my-files-expiry-days = { $count ->
        [one] { $count } jour
       *[other] { $count } jours
    }
my-files-expiry-seconds = { $count ->
        [one] { $count } seconde
       *[other] { $count } secondes
    }
my-files-action-block = Bloquer les téléchargements
my-files-action-delete = Supprimer le fichier
my-files-action-move = Le déplacer dans un dossier
my-files-saved = Enregistré.
my-files-remove-password = Retirer le mot de passe
my-files-link = Lien
my-files-qr-alt = Code QR de la page de téléchargement de { $name }
my-files-folder = Dossier
my-files-description = Description
my-files-new-password = Nouveau mot de passe
my-files-password = Mot de passe de téléchargement
my-files-password-keep = Il a un mot de passe : laissez vide pour le garder.
my-files-password-none = Aucun pour l’instant : laissez vide pour n’en mettre aucun.
my-files-expires-after = Expire après
my-files-unchanged = Inchangé
my-files-expiry-now-date = Il expire actuellement le { $date }. Compté à partir de l’enregistrement.
my-files-expiry-now-never = Il n’expire jamais actuellement. Compté à partir de l’enregistrement.
my-files-download-limit = Limite de téléchargements
my-files-limit-hint = Vide ou 0 : aucune limite.
my-files-limit-action = Quand une limite est atteinte
my-files-limit-folder = Dossier où le déplacer
my-files-save = Enregistrer
my-files-delete-the-file = Supprimer le fichier
my-files-edit-title = Modifier { $name }
my-files-shared-text = Toute personne ayant le lien voit ses fichiers.
my-files-private-text = Vous seul le voyez.
my-files-copy-folder-link = Copier le lien de { $name }
my-files-inside = Dans
my-files-sharing = Partage
my-files-delete-the-folder = Supprimer le dossier
my-files-folder-delete-title = Supprimer le dossier
my-files-folder-delete-question = Supprimer le dossier { $name } ?
my-files-folder-holds = Il contient { $files ->
        [0] aucun fichier
        [one] 1 fichier ({ $size })
       *[other] { $files } fichiers ({ $size })
    }{ $folders ->
        [0] {""}
        [one] {" "}et 1 dossier
       *[other] {" "}et { $folders } dossiers
    } : ils sont supprimés avec lui.
my-files-download-log = Qui a téléchargé
my-files-download-log-none = Personne n’a encore téléchargé ce fichier en entier.
my-files-download-log-when = Quand
my-files-download-log-who = Qui
my-files-download-log-recipient = { $address } (lien de destinataire)
# Said after a delete question: the files are gone, or wait in the trash
# (docs/expiry.md).
my-files-gone-for-good = Cette action est irréversible.
my-files-gone-to-trash = Ils restent un temps dans votre corbeille et peuvent y être restaurés.
