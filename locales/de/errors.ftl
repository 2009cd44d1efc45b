# Die Fehlerseiten aller Oberflächen (src/http/html.rs).
errors-not-found-title = Nicht gefunden
errors-not-found-lead = Hier ist nichts.
errors-not-found-text = Vielleicht ist der Link falsch geschrieben, oder das, worauf er zeigte, wurde gelöscht.
errors-upload-a-file = Eine Datei hochladen
errors-try-later-title = Bitte versuchen Sie es später erneut
errors-too-many-title = Zu viele Anfragen
errors-too-many-text = Von Ihrer Adresse wurden zu viele Seiten angefordert. Warten Sie { $seconds ->
        [one] { $seconds } Sekunde
       *[other] { $seconds } Sekunden
    } und versuchen Sie es dann erneut.
