# The zip button of shared folder and bundle pages (src/pages/folder.rs).
zip-download = Tout télécharger en ZIP
zip-left-out = { $count ->
        [one] Un fichier a un mot de passe ou une limite de téléchargements : téléchargez-le depuis sa propre page.
       *[other] { $count } fichiers ont un mot de passe ou une limite de téléchargements : téléchargez-les depuis leurs propres pages.
    }
# The My files button for the chosen files.
zip-download-selected = Télécharger en ZIP
