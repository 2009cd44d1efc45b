# La página de descarga, /file/{id} (src/pages/download.rs).
download-unavailable = Esta página no se puede mostrar en este momento.
download-wrong-password = Contraseña incorrecta. Se ha introducido una contraseña errónea o vacía.
download-password-wait = Demasiadas contraseñas incorrectas. Espere { $seconds ->
        [one] { $seconds } segundo
       *[other] { $seconds } segundos
    } antes de volver a intentarlo.
download-button = Descargar
download-preview-shared = Un archivo compartido con usted
download-preview-open = Abra el enlace para descargarlo.
download-preview-size = { $size } para descargar.
download-preview-picture = Una imagen pequeña de { $name }
download-protected = Este archivo está protegido con una contraseña.
download-password = Contraseña
download-unlock = Desbloquear
download-description = Descripción
download-checksum = Suma de comprobación
download-name = Nombre
download-size = Tamaño
download-size-exact = { $size } ({ $bytes ->
        [one] { $bytes } byte
       *[other] { $bytes } bytes
    })
download-uploaded = Subido
download-expires = Caduca
download-downloads-left = Descargas restantes
download-expired = Este archivo ha caducado: se podía descargar hasta el { $date }.
download-limit-reached = Este archivo ya no se puede descargar: se ha alcanzado su límite de descargas.
download-not-found-title = Archivo no encontrado
download-not-found-text = Ningún archivo tiene este enlace. Puede que su propietario lo haya eliminado o que el enlace esté incompleto.
download-encrypted = Cifrado de extremo a extremo
download-encrypted-how = El servidor no puede leer este archivo. Descífrelo abajo en este navegador, o tras la descarga con age: `age -d -i key.txt` (o la frase de contraseña), o con `dropspace client download` y el enlace que recibió.
