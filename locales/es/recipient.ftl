# Las páginas de los destinatarios de file_send, /s/{token} (src/file_send/links.rs).
recipient-expired-title = Enlace caducado
recipient-expired = Este enlace ha caducado. Pida al remitente que vuelva a enviar los archivos.
recipient-unavailable = Este enlace no se puede abrir en este momento.
recipient-login-title = Inicie sesión para ver los archivos
recipient-login-lead = Estos archivos se enviaron a su cuenta. Inicie sesión para verlos.
recipient-nothing-left = No queda nada por descargar.
recipient-title = Archivos enviados a usted
recipient-for = Para { $email }
recipient-file = Archivo
recipient-size = Tamaño
recipient-other-title = No es para esta cuenta
recipient-other = Estos archivos se enviaron a otro usuario. Solo ese usuario puede abrir este enlace.
recipient-download-unavailable = Este archivo no se puede descargar en este momento.
recipient-two-factor = Esta cuenta inicia sesión con doble factor: inicia sesión primero en la página de inicio de sesión y vuelve a abrir este enlace.
