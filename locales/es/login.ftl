# La página de inicio de sesión y los formularios rechazados (src/pages/web.rs).
login-title = Iniciar sesión
login-user-name = Nombre de usuario o correo electrónico
login-password = Contraseña
login-submit = Iniciar sesión
login-form-expired = El formulario ha caducado; inténtelo de nuevo.
login-wait = Demasiados intentos fallidos; espere { $seconds ->
        [one] { $seconds } segundo
       *[other] { $seconds } segundos
    }.
login-wrong = Nombre de usuario o contraseña incorrectos.
login-unavailable = No es posible iniciar sesión en este momento.
login-logout-unavailable = No es posible cerrar la sesión en este momento.
login-not-logged-out = Sesión no cerrada
login-refused-title = Solicitud rechazada
login-refused-text = El formulario ha caducado o no procede de este sitio; recargue la página e inténtelo de nuevo.
login-forgot = ¿Olvidaste tu contraseña?
login-signup = Crear una cuenta
