# Cabecera, navegación, tema y selector de idioma de cada página.
shell-skip = Ir al contenido
shell-nav-label = Principal
shell-nav-upload = Subir
shell-nav-files = Mis archivos
shell-logged-in-as = Sesión iniciada como
shell-log-in = Iniciar sesión
shell-log-out = Cerrar sesión
shell-theme-label = Tema de color
shell-theme-auto = Auto
shell-theme-auto-hint = Seguir el tema del sistema
shell-theme-light = Claro
shell-theme-light-hint = Tema claro
shell-theme-dark = Oscuro
shell-theme-dark-hint = Tema oscuro
shell-lang-label = Idioma
