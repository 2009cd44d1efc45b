# Die Empfängerseiten von file_send, /s/{token} (src/file_send/links.rs).
recipient-expired-title = Link abgelaufen
recipient-expired = Dieser Link ist abgelaufen. Bitten Sie den Absender, die Dateien erneut zu senden.
recipient-unavailable = Dieser Link kann gerade nicht geöffnet werden.
recipient-login-title = Melden Sie sich an, um die Dateien zu sehen
recipient-login-lead = Diese Dateien wurden an Ihr Konto gesendet. Melden Sie sich an, um sie zu sehen.
recipient-nothing-left = Es ist nichts mehr zum Herunterladen übrig.
recipient-title = An Sie gesendete Dateien
recipient-for = Für { $email }
recipient-file = Datei
recipient-size = Größe
recipient-other-title = Nicht für dieses Konto
recipient-other = Diese Dateien wurden an einen anderen Benutzer gesendet. Nur dieser kann den Link öffnen.
recipient-download-unavailable = Diese Datei kann gerade nicht heruntergeladen werden.
recipient-two-factor = Dieses Konto meldet sich mit zweitem Faktor an: Melden Sie sich zuerst auf der Anmeldeseite an und öffnen Sie dann diesen Link erneut.
