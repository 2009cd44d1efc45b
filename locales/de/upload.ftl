# Die Hochladeseite (src/pages/upload.rs).
upload-title = Hochladen
upload-to-account = Die Dateien werden in Ihrem Konto { $name } gespeichert.
upload-anonymous = Sie sind nicht angemeldet: Dateien werden anonym hochgeladen, jede mit einem eigenen Löschlink.
upload-anonymous-off = Hochladen ohne Konto ist auf diesem Server abgeschaltet: Melden Sie sich an, um hochzuladen.
upload-unavailable = Die Upload-Seite kann gerade nicht angezeigt werden. Bitte versuchen Sie es gleich noch einmal.
upload-needs-js = Zum Hochladen benötigt diese Seite JavaScript.
upload-drop = Dateien hier ablegen
upload-or = oder
upload-choose = Dateien zum Hochladen auswählen
upload-chosen = Ausgewählte Dateien
upload-optional = (optional)
upload-description = Beschreibung
upload-password = Download-Passwort
upload-password-hint = Wird auf der Download-Seite abgefragt.
upload-recipients = Link senden an
upload-recipients-hint = E-Mail-Adressen, durch Kommas getrennt.
upload-message = Nachricht an die Empfänger
upload-expiry = Läuft ab nach
upload-expiry-hint = Danach wird die Datei gelöscht.
upload-downloads = Download-Limit
upload-downloads-hint = Nach so vielen Downloads gelöscht.
upload-folder = Ordner
upload-folder-root = Meine Dateien (oberste Ebene)
upload-bundle = Ein Link für alle Dateien (wenn es mehrere sind)
upload-start = Hochladen
upload-results = Uploads
upload-never = Nie
upload-days = { $count ->
        [one] { $count } Tag
       *[other] { $count } Tagen
    }
upload-hours = { $count ->
        [one] { $count } Stunde
       *[other] { $count } Stunden
    }
upload-minutes = { $count ->
        [one] { $count } Minute
       *[other] { $count } Minuten
    }
upload-seconds = { $count ->
        [one] { $count } Sekunde
       *[other] { $count } Sekunden
    }
upload-not-logged-in = Nicht angemeldet
upload-csrf-refused = Die Seite ist abgelaufen oder stammt nicht von dieser Website; laden Sie sie neu.

# Für das Skript der Seite (src/pages/static/upload.js); die Variablen
# bleiben als {name} stehen, das Skript setzt sie ein.
upload-js-bytes-one = { $count } Byte
upload-js-bytes-other = { $count } Bytes
upload-js-uploading-one = { $count } Datei wird hochgeladen …
upload-js-uploading-other = { $count } Dateien werden hochgeladen …
upload-js-retry-one = { $count } Datei fehlgeschlagen: Klicken Sie auf „Hochladen“, um es erneut zu versuchen.
upload-js-retry-other = { $count } Dateien fehlgeschlagen: Klicken Sie auf „Hochladen“, um es erneut zu versuchen.
upload-js-copy = Kopieren
upload-js-copied = Kopiert
upload-js-link-download = Download
upload-js-link-delete = Löschen
upload-js-link-bundle = Paket
upload-js-link-receipt = Quittung
upload-js-copy-download = Download-Link für { $name } kopieren
upload-js-copy-delete = Löschlink für { $name } kopieren
upload-js-copy-bundle = Paket-Link für { $name } kopieren
upload-js-copy-receipt = Quittungs-Link für { $name } kopieren
upload-js-copied-download = Der Download-Link für { $name } wurde in die Zwischenablage kopiert
upload-js-copied-delete = Der Löschlink für { $name } wurde in die Zwischenablage kopiert
upload-js-copied-bundle = Der Paket-Link für { $name } wurde in die Zwischenablage kopiert
upload-js-copied-receipt = Der Quittungs-Link für { $name } wurde in die Zwischenablage kopiert
upload-js-upload-failed = Hochladen fehlgeschlagen
upload-js-connection-failed = Die Verbindung ist fehlgeschlagen
upload-js-was-cancelled = Das Hochladen wurde abgebrochen
upload-js-secs = { $s } s
upload-js-mins = { $m } min { $s } s
upload-js-hours = { $h } h { $m } min
upload-js-speed = · { $rate }/s, noch { $left }
upload-js-resuming = Das unvollendete Hochladen wird fortgesetzt …
upload-js-cancel = Abbrechen
upload-js-cancel-label = Hochladen von { $name } abbrechen
upload-js-progress-label = Hochladen von { $name }
# Several files at once: their sum ($count is at least 2).
upload-js-overall = Alle { $count } Dateien
upload-js-overall-label = Hochladen aller Dateien
upload-js-too-large = Die Datei ist größer als die maximale Dateigröße ({ $max })
upload-js-scanning = Gespeichert. Die Datei wird auf Viren geprüft; ihre Links funktionieren, sobald sie als sauber gilt.
upload-js-done = Fertig.
upload-js-cancelled = Abgebrochen.
upload-js-failed = Fehlgeschlagen: { $reason }
upload-js-one-link = Ein Link für alle { $count } Dateien
upload-js-all-files = alle { $count } Dateien
upload-js-qr-alt = QR-Code des Links zu allen { $count } Dateien
upload-js-bundle-ready = Ein Link für alle { $count } Dateien ist bereit.
upload-js-choose-first = Wählen Sie zuerst eine Datei aus.
upload-js-folder-name = Upload vom { $when }
upload-js-bundle-failed = Die Dateien sind gespeichert, aber ein gemeinsamer Link ist fehlgeschlagen: { $reason }
