# En-tête, navigation, choix du thème et de la langue de chaque page.
shell-skip = Aller au contenu
shell-nav-label = Menu principal
shell-nav-upload = Envoyer
shell-nav-files = Mes fichiers
shell-logged-in-as = Connecté en tant que
shell-log-in = Se connecter
shell-log-out = Se déconnecter
shell-theme-label = Thème de couleurs
shell-theme-auto = Auto
shell-theme-auto-hint = Suivre le thème du système
shell-theme-light = Clair
shell-theme-light-hint = Thème clair
shell-theme-dark = Sombre
shell-theme-dark-hint = Thème sombre
shell-lang-label = Langue
