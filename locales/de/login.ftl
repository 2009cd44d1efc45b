# Die Anmeldeseite und abgelehnte Formulare (src/pages/web.rs).
login-title = Anmelden
login-user-name = Benutzername oder E-Mail-Adresse
login-password = Passwort
login-submit = Anmelden
login-form-expired = Das Formular ist abgelaufen; bitte versuchen Sie es erneut.
login-wait = Zu viele fehlgeschlagene Anmeldungen; warten Sie { $seconds ->
        [one] { $seconds } Sekunde
       *[other] { $seconds } Sekunden
    }.
login-wrong = Falscher Benutzername oder falsches Passwort.
login-unavailable = Die Anmeldung ist gerade nicht möglich.
login-logout-unavailable = Die Abmeldung ist gerade nicht möglich.
login-not-logged-out = Nicht abgemeldet
login-refused-title = Anfrage abgelehnt
login-refused-text = Das Formular ist abgelaufen oder stammt nicht von dieser Website; laden Sie die Seite neu und versuchen Sie es erneut.
login-forgot = Passwort vergessen?
login-signup = Konto erstellen
