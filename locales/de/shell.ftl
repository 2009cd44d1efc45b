# Kopfzeile, Navigation, Farbschema und Sprachwahl jeder Seite.
shell-skip = Zum Inhalt springen
shell-nav-label = Hauptmenü
shell-nav-upload = Hochladen
shell-nav-files = Meine Dateien
shell-logged-in-as = Angemeldet als
shell-log-in = Anmelden
shell-log-out = Abmelden
shell-theme-label = Farbschema
shell-theme-auto = Auto
shell-theme-auto-hint = Dem Farbschema des Systems folgen
shell-theme-light = Hell
shell-theme-light-hint = Helles Farbschema
shell-theme-dark = Dunkel
shell-theme-dark-hint = Dunkles Farbschema
shell-lang-label = Sprache
