# Die Seite eines Pakets, /b/{id}, und sein Löschlink (src/pages/bundle.rs).
bundle-unavailable = Diese Seite kann gerade nicht angezeigt werden.
bundle-delete-failed = Das Paket konnte gerade nicht gelöscht werden.
bundle-not-found-title = Paket nicht gefunden
bundle-not-found-text = Zu diesem Link gibt es kein Paket. Vielleicht wurde es gelöscht, oder der Link ist unvollständig.
bundle-title = Paket
bundle-empty = Dieses Paket ist leer.
bundle-empty-text = Seine Dateien sind abgelaufen oder wurden gelöscht.
bundle-files-title = { $count ->
        [one] { $count } Datei
       *[other] { $count } Dateien
    }
bundle-summary = Gemeinsam hochgeladen am { $when }, insgesamt { $size }. Jede Datei hat ihre eigene Seite.
bundle-name = Name
bundle-size = Größe
bundle-qr-alt = QR-Code des Links zu diesem Paket
bundle-qr-caption = Scannen, um diese Seite auf einem Telefon zu öffnen.
bundle-delete-title = Paket löschen
bundle-delete-question = { $count ->
        [one] Die { $n } Datei dieses Pakets endgültig löschen? Das kann nicht rückgängig gemacht werden.
       *[other] Alle { $n } Dateien dieses Pakets endgültig löschen? Das kann nicht rückgängig gemacht werden.
    }
bundle-delete-all = Alle Dateien löschen
bundle-keep = Behalten
bundle-deleted-title = Paket gelöscht
bundle-deleted = { $count ->
        [one] { $count } Datei wurde gelöscht.
       *[other] { $count } Dateien wurden gelöscht.
    }
