# Registrierung und vergessenes Passwort (src/pages/signup.rs, docs/accounts.md).
signup-title = Konto erstellen
signup-user-name = Benutzername
signup-user-name-hint = 3 bis 20 Buchstaben und Ziffern
signup-full-name = Ihr Name
signup-email = E-Mail-Adresse
signup-password-hint = 4 bis 20 Zeichen
signup-submit = Konto erstellen
signup-have-account = Schon ein Konto? Anmelden
signup-closed = Dieser Server nimmt keine neuen Konten an.
signup-done = Ihr Konto wurde erstellt. Wir haben einen Aktivierungslink an Ihre E-Mail-Adresse geschickt: Folgen Sie ihm und melden Sie sich dann an.
reset-title = Passwort vergessen
reset-intro = Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse an: Wir schicken Ihnen einen Link, mit dem Sie ein neues Passwort wählen.
reset-submit = Link senden
reset-sent = Falls es hier ein solches Konto gibt, ist ein Link an seine E-Mail-Adresse unterwegs. Er funktioniert einmal, { $minutes } Minuten lang.
reset-link-gone = Dieser Link ist abgelaufen oder wurde schon verwendet.
reset-again = Neuen Link anfordern
reset-done = Ihr Passwort wurde geändert, alle Sitzungen Ihres Kontos wurden beendet. Melden Sie sich mit dem neuen Passwort an.
