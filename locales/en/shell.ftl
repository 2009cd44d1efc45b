# The header, navigation, theme and language choosers of every page.
shell-skip = Skip to content
shell-nav-label = Main
shell-nav-upload = Upload
shell-nav-files = My files
shell-logged-in-as = Logged in as
shell-log-in = Log in
shell-log-out = Log out
shell-theme-label = Colour theme
shell-theme-auto = Auto
shell-theme-auto-hint = Follow the system's theme
shell-theme-light = Light
shell-theme-light-hint = Light theme
shell-theme-dark = Dark
shell-theme-dark-hint = Dark theme
shell-lang-label = Language
