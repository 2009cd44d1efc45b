request-page-title = Solicitud de archivos
request-lead = { $name } le pide archivos
request-unavailable = La solicitud de archivos no se puede abrir ahora. Vuelva a intentarlo en un momento.
request-not-found-title = Solicitud de archivos no encontrada
request-not-found-text = No hay ninguna solicitud de archivos en esta dirección. Compruebe el enlace que recibió.
request-closed = Esta solicitud de archivos está cerrada: ya no admite archivos.
request-expired = Esta solicitud de archivos ha caducado: ya no admite archivos.
request-full = Esta solicitud de archivos ha recibido todos los archivos que admite.
request-cap-files = { $count ->
    [one] Hasta { $count } archivo
   *[other] Hasta { $count } archivos
}
request-cap-bytes = Hasta { $size } en total
request-cap-file-size = Hasta { $size } por archivo
request-cap-until = Abierta hasta
request-private = Solo quien lo pide ve lo que usted envía; usted no ve nada de lo que otros enviaron.
request-password = Contraseña de esta solicitud
request-open = Abrir
request-wrong-password = Contraseña incorrecta.
request-note = Una nota para el destinatario
request-receipt-title = Recibo
request-receipt-lead = Recibido a través de la solicitud de archivos «{ $title }»:
request-receipt-name = Archivo
request-receipt-size = Tamaño
request-receipt-bytes = Bytes
request-receipt-checksum = Suma de comprobación BLAKE3
request-receipt-received = Recibido
requests-title = Solicitudes de archivos
requests-lead = Pida archivos a cualquiera: se suben por el enlace a la carpeta que elija, sin ver nada más.
requests-none = Todavía no hay solicitudes de archivos.
requests-col-title = Solicitud
requests-col-state = Estado
requests-col-received = Recibidos
requests-col-until = Abierta hasta
requests-col-actions = Acciones
requests-state-open = Abierta
requests-state-closed = Cerrada
requests-state-expired = Caducada
requests-state-full = Completa
requests-received = { $count ->
    [one] { $count } archivo, { $size }
   *[other] { $count } archivos, { $size }
}
requests-never = Nunca
requests-1-day = 1 día
requests-7-days = 7 días
requests-30-days = 30 días
requests-close = Cerrar
requests-close-named = Cerrar { $name }
requests-new = Nueva solicitud de archivos
requests-field-title = Título
requests-field-folder = Los archivos llegan a
requests-field-message = Mensaje que se muestra
requests-field-password = Contraseña
requests-field-expires = Abierta durante
requests-field-max-files = Máximo de archivos
requests-field-max-mb = Máximo de MB en total
requests-field-max-file-mb = Máximo de MB por archivo
requests-field-notify = Enviarme un correo por cada archivo recibido
requests-field-encrypted = Cifrar las subidas para mis claves (de extremo a extremo)
requests-field-encrypted-hint = El navegador de quien sube cifra cada archivo para las claves age de su página de cuenta; solo usted puede abrirlos.
requests-create = Crear la solicitud
