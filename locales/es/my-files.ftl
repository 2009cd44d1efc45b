# Mis archivos, /files y sus páginas de edición (src/pages/my_files/, docs/my-files.md).
my-files-title = Mis archivos
my-files-back = Volver a mis archivos
my-files-error = { $text } (error { $code })
my-files-usage = Uso
my-files-disk = Espacio en disco
my-files-bandwidth = Ancho de banda este mes
my-files-used-of = { $used } de { $total }
my-files-used-no-limit = { $used } usados, sin límite
my-files-no-limit = Sin límite
my-files-breadcrumb = Ruta
my-files-up = Subir
my-files-edit-folder = Editar la carpeta
my-files-search-title = Archivos cuyo nombre contiene { $query }, en todas sus carpetas
my-files-clear-search = Borrar la búsqueda
my-files-new-folder = Carpeta nueva
my-files-create = Crear
my-files-search = Buscar
my-files-select = Seleccionar
my-files-select-all = Seleccionar todos los archivos
my-files-select-file = Seleccionar { $name }
my-files-actions = Acciones
my-files-name = Nombre
my-files-size = Tamaño
my-files-uploaded = Subido
my-files-downloads = Descargas
my-files-expires = Caduca
my-files-downloads-of = { $count } de { $limit }
my-files-blocked = Bloqueado
my-files-never = Nunca
my-files-password-tag = Contraseña
my-files-in-folder = en { $folder }
my-files-copy-link = Copiar enlace
my-files-copy-link-to = Copiar el enlace de { $name }
my-files-copied = Copiado
my-files-link-copied = Enlace copiado
my-files-copy-failed = No se pudo copiar el enlace
my-files-picked-one = 1 archivo seleccionado
my-files-picked-many = {"{"}n{"}"} archivos seleccionados
my-files-edit = Editar
my-files-edit-file = Editar { $name }
my-files-edit-folder-named = Editar la carpeta { $name }
my-files-delete = Eliminar
my-files-delete-file = Eliminar { $name }
my-files-empty-title = Aún no hay nada
my-files-empty-root = Aquí aparecen los archivos que suba con la sesión iniciada.
my-files-empty-folder = Esta carpeta está vacía.
my-files-no-match-title = Ningún archivo encontrado
my-files-no-match = Ninguno de sus archivos tiene un nombre así.
my-files-upload = Subir un archivo
my-files-selected-files = Archivos seleccionados
my-files-with-selected = Con los archivos seleccionados:
my-files-move-to = Mover a
my-files-move = Mover
my-files-mail-links = Enviar enlaces por correo
my-files-public-page = página pública
my-files-public-page-of = Página pública de { $name }
my-files-share = Compartir
my-files-share-named = Compartir { $name }
my-files-unshare = Dejar de compartir
my-files-unshare-named = Dejar de compartir { $name }
my-files-choose-files = Elija al menos un archivo
my-files-delete-title = Eliminar archivos
my-files-delete-question = { $count ->
        [one] ¿Eliminar { $name }?
       *[other] ¿Eliminar estos { $count } archivos?
    }
my-files-delete-warning = Sus enlaces dejan de funcionar al instante.
my-files-cancel = Cancelar
my-files-mail-title = Enviar enlaces por correo
my-files-mail-lead = Enviar por correo los enlaces de estos archivos:
my-files-mail-to = Para
my-files-mail-to-hint = Direcciones de correo, separadas por comas.
my-files-message = Mensaje
my-files-optional = (opcional)
my-files-send = Enviar
my-files-mailed = { $count ->
        [one] Los enlaces se enviaron a { $count } destinatario.
       *[other] Los enlaces se enviaron a { $count } destinatarios.
    }
my-files-expiry-minutes = { $count ->
        [one] { $count } minuto
       *[other] { $count } minutos
    }
my-files-expiry-hours = { $count ->
        [one] { $count } hora
       *[other] { $count } horas
    }
my-files-expiry-days = { $count ->
        [one] { $count } día
       *[other] { $count } días
    }
my-files-expiry-seconds = { $count ->
        [one] { $count } segundo
       *[other] { $count } segundos
    }
my-files-action-block = Bloquear las descargas
my-files-action-delete = Eliminar el archivo
my-files-action-move = Moverlo a una carpeta
my-files-saved = Guardado.
my-files-remove-password = Quitar la contraseña
my-files-link = Enlace
my-files-qr-alt = Código QR de la página de descarga de { $name }
my-files-folder = Carpeta
my-files-description = Descripción
my-files-new-password = Contraseña nueva
my-files-password = Contraseña de descarga
my-files-password-keep = Tiene contraseña: déjelo vacío para conservarla.
my-files-password-none = Ninguna por ahora: déjelo vacío para no poner ninguna.
my-files-expires-after = Caduca tras
my-files-unchanged = Sin cambios
my-files-expiry-now-date = Ahora caduca el { $date }. Se cuenta desde que guarde.
my-files-expiry-now-never = Ahora no caduca nunca. Se cuenta desde que guarde.
my-files-download-limit = Límite de descargas
my-files-limit-hint = Vacío o 0: sin límite.
my-files-limit-action = Al alcanzar un límite
my-files-limit-folder = Carpeta a la que moverlo
my-files-save = Guardar
my-files-delete-the-file = Eliminar el archivo
my-files-edit-title = Editar { $name }
my-files-shared-text = Cualquiera con el enlace ve sus archivos.
my-files-private-text = Solo usted la ve.
my-files-copy-folder-link = Copiar el enlace de { $name }
my-files-inside = Dentro de
my-files-sharing = Compartir
my-files-delete-the-folder = Eliminar la carpeta
my-files-folder-delete-title = Eliminar carpeta
my-files-folder-delete-question = ¿Eliminar la carpeta { $name }?
my-files-folder-holds = Contiene { $files ->
        [0] ningún archivo
        [one] 1 archivo ({ $size })
       *[other] { $files } archivos ({ $size })
    }{ $folders ->
        [0] {""}
        [one] {" "}y 1 carpeta
       *[other] {" "}y { $folders } carpetas
    }: se eliminan con ella.
my-files-download-log = Quién lo ha descargado
my-files-download-log-none = Nadie ha descargado todavía este archivo completo.
my-files-download-log-when = Cuándo
my-files-download-log-who = Quién
my-files-download-log-recipient = { $address } (enlace de destinatario)
# Said after a delete question: the files are gone, or wait in the trash
# (docs/expiry.md).
my-files-gone-for-good = No se puede deshacer.
my-files-gone-to-trash = Quedan un tiempo en su papelera y pueden restaurarse desde allí.
