request-page-title = Dateianfrage
request-lead = { $name } bittet Sie um Dateien
request-unavailable = Die Dateianfrage kann gerade nicht geöffnet werden. Bitte versuchen Sie es gleich noch einmal.
request-not-found-title = Dateianfrage nicht gefunden
request-not-found-text = Unter dieser Adresse gibt es keine Dateianfrage. Prüfen Sie den Link, den Sie erhalten haben.
request-closed = Diese Dateianfrage ist geschlossen: Sie nimmt keine Dateien mehr an.
request-expired = Diese Dateianfrage ist abgelaufen: Sie nimmt keine Dateien mehr an.
request-full = Diese Dateianfrage hat alle Dateien erhalten, die sie annimmt.
request-cap-files = { $count ->
    [one] Bis zu { $count } Datei
   *[other] Bis zu { $count } Dateien
}
request-cap-bytes = Bis zu { $size } insgesamt
request-cap-file-size = Bis zu { $size } pro Datei
request-cap-until = Offen bis
request-private = Nur die anfragende Person sieht, was Sie senden; was andere gesendet haben, sehen Sie nicht.
request-password = Passwort dieser Dateianfrage
request-open = Öffnen
request-wrong-password = Falsches Passwort.
request-note = Eine Notiz für den Empfänger
request-receipt-title = Quittung
request-receipt-lead = Erhalten über die Dateianfrage „{ $title }“:
request-receipt-name = Datei
request-receipt-size = Größe
request-receipt-bytes = Bytes
request-receipt-checksum = BLAKE3-Prüfsumme
request-receipt-received = Erhalten
requests-title = Dateianfragen
requests-lead = Bitten Sie jeden um Dateien: Über den Link wird in den Ordner Ihrer Wahl hochgeladen, sonst ist nichts zu sehen.
requests-none = Noch keine Dateianfragen.
requests-col-title = Anfrage
requests-col-state = Status
requests-col-received = Erhalten
requests-col-until = Offen bis
requests-col-actions = Aktionen
requests-state-open = Offen
requests-state-closed = Geschlossen
requests-state-expired = Abgelaufen
requests-state-full = Voll
requests-received = { $count ->
    [one] { $count } Datei, { $size }
   *[other] { $count } Dateien, { $size }
}
requests-never = Nie
requests-1-day = 1 Tag
requests-7-days = 7 Tage
requests-30-days = 30 Tage
requests-close = Schließen
requests-close-named = { $name } schließen
requests-new = Neue Dateianfrage
requests-field-title = Titel
requests-field-folder = Dateien landen in
requests-field-message = Angezeigte Nachricht
requests-field-password = Passwort
requests-field-expires = Offen für
requests-field-max-files = Höchstens Dateien
requests-field-max-mb = Höchstens MB insgesamt
requests-field-max-file-mb = Höchstens MB pro Datei
requests-field-notify = Mir jede eingehende Datei mailen
requests-field-encrypted = Uploads an meine Schlüssel verschlüsseln (Ende-zu-Ende)
requests-field-encrypted-hint = Die Browser der Hochladenden verschlüsseln jede Datei an die age-Schlüssel Ihrer Kontoseite; nur Sie können sie öffnen.
requests-create = Anfrage erstellen
