# La página de subida (src/pages/upload.rs).
upload-title = Subir
upload-to-account = Los archivos se guardan en su cuenta, { $name }.
upload-anonymous = No ha iniciado sesión: los archivos se suben de forma anónima, cada uno con su propio enlace de eliminación.
upload-anonymous-off = En este servidor no se puede subir sin cuenta: inicie sesión para subir archivos.
upload-unavailable = La página de subida no se puede mostrar ahora. Inténtelo de nuevo en un momento.
upload-needs-js = Esta página necesita JavaScript para subir archivos.
upload-drop = Suelte los archivos aquí
upload-or = o
upload-choose = Elegir archivos para subir
upload-chosen = Archivos elegidos
upload-optional = (opcional)
upload-description = Descripción
upload-password = Contraseña de descarga
upload-password-hint = Se pide en la página de descarga.
upload-recipients = Enviar el enlace a
upload-recipients-hint = Direcciones de correo electrónico, separadas por comas.
upload-message = Mensaje para los destinatarios
upload-expiry = Caduca después de
upload-expiry-hint = Entonces se elimina el archivo.
upload-downloads = Límite de descargas
upload-downloads-hint = Se elimina tras este número de descargas.
upload-folder = Carpeta
upload-folder-root = Mis archivos (nivel superior)
upload-bundle = Un solo enlace para todos los archivos (si hay varios)
upload-start = Subir
upload-results = Subidas
upload-never = Nunca
upload-days = { $count ->
        [one] { $count } día
       *[other] { $count } días
    }
upload-hours = { $count ->
        [one] { $count } hora
       *[other] { $count } horas
    }
upload-minutes = { $count ->
        [one] { $count } minuto
       *[other] { $count } minutos
    }
upload-seconds = { $count ->
        [one] { $count } segundo
       *[other] { $count } segundos
    }
upload-not-logged-in = No ha iniciado sesión
upload-csrf-refused = La página ha caducado o no procede de este sitio; recárguela.

# Para el script de la página (src/pages/static/upload.js); las variables
# quedan como {name} y el script las sustituye.
upload-js-bytes-one = { $count } byte
upload-js-bytes-other = { $count } bytes
upload-js-uploading-one = Subiendo { $count } archivo…
upload-js-uploading-other = Subiendo { $count } archivos…
upload-js-retry-one = { $count } archivo ha fallado: pulse «Subir» para volver a intentarlo.
upload-js-retry-other = { $count } archivos han fallado: pulse «Subir» para volver a intentarlo.
upload-js-copy = Copiar
upload-js-copied = Copiado
upload-js-link-download = Descarga
upload-js-link-delete = Eliminación
upload-js-link-bundle = Lote
upload-js-link-receipt = Recibo
upload-js-copy-download = Copiar el enlace de descarga de { $name }
upload-js-copy-delete = Copiar el enlace de eliminación de { $name }
upload-js-copy-bundle = Copiar el enlace del lote de { $name }
upload-js-copy-receipt = Copiar el enlace del recibo de { $name }
upload-js-copied-download = Se ha copiado al portapapeles el enlace de descarga de { $name }
upload-js-copied-delete = Se ha copiado al portapapeles el enlace de eliminación de { $name }
upload-js-copied-bundle = Se ha copiado al portapapeles el enlace del lote de { $name }
upload-js-copied-receipt = Se ha copiado al portapapeles el enlace del recibo de { $name }
upload-js-upload-failed = La subida ha fallado
upload-js-connection-failed = La conexión ha fallado
upload-js-was-cancelled = Se ha cancelado la subida
upload-js-secs = { $s } s
upload-js-mins = { $m } min { $s } s
upload-js-hours = { $h } h { $m } min
upload-js-speed = · { $rate }/s, quedan { $left }
upload-js-resuming = Reanudando la subida que quedó sin terminar…
upload-js-cancel = Cancelar
upload-js-cancel-label = Cancelar la subida de { $name }
upload-js-progress-label = Subida de { $name }
# Several files at once: their sum ($count is at least 2).
upload-js-overall = Los { $count } archivos
upload-js-overall-label = Subida de todos los archivos
upload-js-too-large = El archivo supera el tamaño máximo permitido ({ $max })
upload-js-scanning = Guardado. Se está analizando en busca de virus; sus enlaces funcionarán en cuanto se confirme que está limpio.
upload-js-done = Listo.
upload-js-cancelled = Cancelado.
upload-js-failed = Error: { $reason }
upload-js-one-link = Un solo enlace para los { $count } archivos
upload-js-all-files = los { $count } archivos
upload-js-qr-alt = Código QR del enlace a los { $count } archivos
upload-js-bundle-ready = El enlace para los { $count } archivos está listo.
upload-js-choose-first = Elija primero un archivo.
upload-js-folder-name = Subida del { $when }
upload-js-bundle-failed = Los archivos se han guardado, pero el enlace común ha fallado: { $reason }
