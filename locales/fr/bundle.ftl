# La page d'un lot, /b/{id}, et son lien de suppression (src/pages/bundle.rs).
bundle-unavailable = Cette page ne peut pas être affichée pour le moment.
bundle-delete-failed = Le lot n'a pas pu être supprimé pour le moment.
bundle-not-found-title = Lot introuvable
bundle-not-found-text = Aucun lot ne correspond à ce lien. Il a peut-être été supprimé, ou le lien est incomplet.
bundle-title = Lot
bundle-empty = Ce lot est vide.
bundle-empty-text = Ses fichiers ont expiré ou ont été supprimés.
bundle-files-title = { $count ->
        [one] { $count } fichier
       *[other] { $count } fichiers
    }
bundle-summary = Envoyés ensemble le { $when }, { $size } au total. Chaque fichier a sa propre page.
bundle-name = Nom
bundle-size = Taille
bundle-qr-alt = QR code du lien de ce lot
bundle-qr-caption = Scannez-le pour ouvrir cette page sur un téléphone.
bundle-delete-title = Supprimer le lot
bundle-delete-question = { $count ->
        [one] Supprimer définitivement le { $n } fichier de ce lot ? Cette action est irréversible.
       *[other] Supprimer définitivement les { $n } fichiers de ce lot ? Cette action est irréversible.
    }
bundle-delete-all = Supprimer tous les fichiers
bundle-keep = Les conserver
bundle-deleted-title = Lot supprimé
bundle-deleted = { $count ->
        [one] { $count } fichier a été supprimé.
       *[other] { $count } fichiers ont été supprimés.
    }
