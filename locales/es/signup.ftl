# Registro y contraseña olvidada (src/pages/signup.rs, docs/accounts.md).
signup-title = Crear una cuenta
signup-user-name = Nombre de usuario
signup-user-name-hint = de 3 a 20 letras y cifras
signup-full-name = Tu nombre
signup-email = Correo electrónico
signup-password-hint = de 4 a 20 caracteres
signup-submit = Crear la cuenta
signup-have-account = ¿Ya tienes cuenta? Inicia sesión
signup-closed = Este servidor no acepta cuentas nuevas.
signup-done = Se ha creado tu cuenta. Hemos enviado un enlace de activación a tu correo: síguelo y luego inicia sesión.
reset-title = Contraseña olvidada
reset-intro = Indica tu nombre de usuario o tu correo: te enviaremos un enlace para elegir una contraseña nueva.
reset-submit = Enviar el enlace
reset-sent = Si esa cuenta existe aquí, se ha enviado un enlace a su correo. Funciona una vez, durante { $minutes } minutos.
reset-link-gone = Este enlace ha caducado o ya se ha usado.
reset-again = Pedir un enlace nuevo
reset-done = Se ha cambiado tu contraseña y se han cerrado todas las sesiones de tu cuenta. Inicia sesión con la contraseña nueva.
