# El enlace de activación de una cuenta, /activate/{token} (src/pages/activate.rs).
activate-title = Cuenta activada
activate-done = La cuenta { $name } está activa. Ya puede iniciar sesión.
activate-log-in = Iniciar sesión
activate-unknown-title = Enlace de activación desconocido
activate-unknown = Este enlace de activación es desconocido o ya se ha utilizado.
activate-failed = El servidor no ha podido activar la cuenta en este momento.
