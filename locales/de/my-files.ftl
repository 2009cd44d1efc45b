# Meine Dateien, /files und die Bearbeitungsseiten (src/pages/my_files/, docs/my-files.md).
my-files-title = Meine Dateien
my-files-back = Zurück zu meinen Dateien
my-files-error = { $text } (Fehler { $code })
my-files-usage = Nutzung
my-files-disk = Speicherplatz
my-files-bandwidth = Datenvolumen diesen Monat
my-files-used-of = { $used } von { $total }
my-files-used-no-limit = { $used } belegt, ohne Grenze
my-files-no-limit = Ohne Grenze
my-files-breadcrumb = Pfad
my-files-up = Nach oben
my-files-edit-folder = Ordner bearbeiten
my-files-search-title = Dateien mit { $query } im Namen, in allen Ihren Ordnern
my-files-clear-search = Suche aufheben
my-files-new-folder = Neuer Ordner
my-files-create = Anlegen
my-files-search = Suchen
my-files-select = Auswählen
my-files-select-all = Alle Dateien auswählen
my-files-select-file = { $name } auswählen
my-files-actions = Aktionen
my-files-name = Name
my-files-size = Größe
my-files-uploaded = Hochgeladen
my-files-downloads = Downloads
my-files-expires = Läuft ab
my-files-downloads-of = { $count } von { $limit }
my-files-blocked = Gesperrt
my-files-never = Nie
my-files-password-tag = Passwort
my-files-in-folder = in { $folder }
my-files-copy-link = Link kopieren
my-files-copy-link-to = Link zu { $name } kopieren
my-files-copied = Kopiert
my-files-link-copied = Link kopiert
my-files-copy-failed = Der Link konnte nicht kopiert werden
my-files-picked-one = 1 Datei ausgewählt
my-files-picked-many = {"{"}n{"}"} Dateien ausgewählt
my-files-edit = Bearbeiten
my-files-edit-file = { $name } bearbeiten
my-files-edit-folder-named = Ordner { $name } bearbeiten
my-files-delete = Löschen
my-files-delete-file = { $name } löschen
my-files-empty-title = Noch nichts hier
my-files-empty-root = Dateien, die Sie angemeldet hochladen, erscheinen hier.
my-files-empty-folder = Dieser Ordner ist leer.
my-files-no-match-title = Keine Datei gefunden
my-files-no-match = Keine Ihrer Dateien hat einen solchen Namen.
my-files-upload = Datei hochladen
my-files-selected-files = Ausgewählte Dateien
my-files-with-selected = Mit den ausgewählten Dateien:
my-files-move-to = Verschieben nach
my-files-move = Verschieben
my-files-mail-links = Links mailen
my-files-public-page = öffentliche Seite
my-files-public-page-of = Öffentliche Seite von { $name }
my-files-share = Freigeben
my-files-share-named = { $name } freigeben
my-files-unshare = Freigabe beenden
my-files-unshare-named = Freigabe von { $name } beenden
my-files-choose-files = Wählen Sie mindestens eine Datei aus
my-files-delete-title = Dateien löschen
my-files-delete-question = { $count ->
        [one] { $name } löschen?
       *[other] Diese { $count } Dateien löschen?
    }
my-files-delete-warning = Ihre Links funktionieren sofort nicht mehr.
my-files-cancel = Abbrechen
my-files-mail-title = Links mailen
my-files-mail-lead = Die Links dieser Dateien mailen:
my-files-mail-to = An
my-files-mail-to-hint = E-Mail-Adressen, durch Kommas getrennt.
my-files-message = Nachricht
my-files-optional = (optional)
my-files-send = Senden
my-files-mailed = { $count ->
        [one] Die Links wurden an 1 Empfänger gemailt.
       *[other] Die Links wurden an { $count } Empfänger gemailt.
    }
my-files-expiry-minutes = { $count ->
        [one] { $count } Minute
       *[other] { $count } Minuten
    }
my-files-expiry-hours = { $count ->
        [one] { $count } Stunde
       *[other] { $count } Stunden
    }
my-files-expiry-days = { $count ->
        [one] { $count } Tag
       *[other] { $count } Tage
    }
my-files-expiry-seconds = { $count ->
        [one] { $count } Sekunde
       *[other] { $count } Sekunden
    }
my-files-action-block = Downloads sperren
my-files-action-delete = Die Datei löschen
my-files-action-move = In einen Ordner verschieben
my-files-saved = Gespeichert.
my-files-remove-password = Passwort entfernen
my-files-link = Link
my-files-qr-alt = QR-Code der Downloadseite von { $name }
my-files-folder = Ordner
my-files-description = Beschreibung
my-files-new-password = Neues Passwort
my-files-password = Download-Passwort
my-files-password-keep = Sie hat ein Passwort: leer lassen, um es zu behalten.
my-files-password-none = Derzeit keines: leer lassen für keines.
my-files-expires-after = Läuft ab nach
my-files-unchanged = Unverändert
my-files-expiry-now-date = Derzeit läuft sie am { $date } ab. Gezählt ab dem Speichern.
my-files-expiry-now-never = Derzeit läuft sie nie ab. Gezählt ab dem Speichern.
my-files-download-limit = Download-Grenze
my-files-limit-hint = Leer oder 0: keine Grenze.
my-files-limit-action = Wenn eine Grenze erreicht ist
my-files-limit-folder = Ordner, in den sie verschoben wird
my-files-save = Speichern
my-files-delete-the-file = Datei löschen
my-files-edit-title = { $name } bearbeiten
my-files-shared-text = Wer den Link hat, sieht seine Dateien.
my-files-private-text = Nur Sie sehen ihn.
my-files-copy-folder-link = Link von { $name } kopieren
my-files-inside = Liegt in
my-files-sharing = Freigabe
my-files-delete-the-folder = Ordner löschen
my-files-folder-delete-title = Ordner löschen
my-files-folder-delete-question = Den Ordner { $name } löschen?
my-files-folder-holds = Er enthält { $files ->
        [0] keine Dateien
        [one] 1 Datei ({ $size })
       *[other] { $files } Dateien ({ $size })
    }{ $folders ->
        [0] {""}
        [one] {" "}und 1 Ordner
       *[other] {" "}und { $folders } Ordner
    }: sie werden mit ihm gelöscht.
my-files-download-log = Wer heruntergeladen hat
my-files-download-log-none = Noch niemand hat diese Datei vollständig heruntergeladen.
my-files-download-log-when = Wann
my-files-download-log-who = Wer
my-files-download-log-recipient = { $address } (Empfängerlink)
# Said after a delete question: the files are gone, or wait in the trash
# (docs/expiry.md).
my-files-gone-for-good = Das lässt sich nicht rückgängig machen.
my-files-gone-to-trash = Sie bleiben eine Zeit lang in Ihrem Papierkorb und können von dort wiederhergestellt werden.
