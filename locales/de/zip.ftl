# The zip button of shared folder and bundle pages (src/pages/folder.rs).
zip-download = Alle als ZIP herunterladen
zip-left-out = { $count ->
        [one] Eine Datei hat ein Passwort oder ein Download-Limit: Laden Sie sie über ihre eigene Seite herunter.
       *[other] { $count } Dateien haben ein Passwort oder ein Download-Limit: Laden Sie sie über ihre eigenen Seiten herunter.
    }
# The My files button for the chosen files.
zip-download-selected = Als ZIP herunterladen
