# Die Download-Seite, /file/{id} (src/pages/download.rs).
download-unavailable = Diese Seite kann gerade nicht angezeigt werden.
download-wrong-password = Falsches Passwort. Es wurde ein falsches oder leeres Passwort eingegeben.
download-password-wait = Zu viele falsche Passwörter. Warten Sie { $seconds ->
        [one] { $seconds } Sekunde
       *[other] { $seconds } Sekunden
    }, bevor Sie es erneut versuchen.
download-button = Herunterladen
download-preview-shared = Eine Datei, die mit Ihnen geteilt wurde
download-preview-open = Öffnen Sie den Link, um sie herunterzuladen.
download-preview-size = { $size } zum Herunterladen.
download-preview-picture = Ein kleines Bild von { $name }
download-protected = Diese Datei ist durch ein Passwort geschützt.
download-password = Passwort
download-unlock = Entsperren
download-description = Beschreibung
download-checksum = Prüfsumme
download-name = Name
download-size = Größe
download-size-exact = { $size } ({ $bytes ->
        [one] { $bytes } Byte
       *[other] { $bytes } Bytes
    })
download-uploaded = Hochgeladen
download-expires = Läuft ab
download-downloads-left = Verbleibende Downloads
download-expired = Diese Datei ist abgelaufen: Sie konnte bis { $date } heruntergeladen werden.
download-limit-reached = Diese Datei kann nicht mehr heruntergeladen werden: Ihr Download-Limit ist erreicht.
download-not-found-title = Datei nicht gefunden
download-not-found-text = Zu diesem Link gibt es keine Datei. Vielleicht wurde sie von ihrem Besitzer gelöscht, oder der Link ist unvollständig.
download-encrypted = Ende-zu-Ende-verschlüsselt
download-encrypted-how = Der Server kann diese Datei nicht lesen. Entschlüsseln Sie sie unten in diesem Browser oder nach dem Herunterladen mit age: `age -d -i key.txt` (oder der Passphrase), oder mit `dropspace client download` und dem Link, den Sie erhalten haben.
