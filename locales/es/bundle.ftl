# La página de un lote, /b/{id}, y su enlace de eliminación (src/pages/bundle.rs).
bundle-unavailable = Esta página no se puede mostrar en este momento.
bundle-delete-failed = El lote no se ha podido eliminar en este momento.
bundle-not-found-title = Lote no encontrado
bundle-not-found-text = Ningún lote tiene este enlace. Puede que se haya eliminado o que el enlace esté incompleto.
bundle-title = Lote
bundle-empty = Este lote está vacío.
bundle-empty-text = Sus archivos han caducado o se han eliminado.
bundle-files-title = { $count ->
        [one] { $count } archivo
       *[other] { $count } archivos
    }
bundle-summary = Subidos juntos el { $when }, { $size } en total. Cada archivo tiene su propia página.
bundle-name = Nombre
bundle-size = Tamaño
bundle-qr-alt = Código QR del enlace de este lote
bundle-qr-caption = Escanéelo para abrir esta página en un teléfono.
bundle-delete-title = Eliminar lote
bundle-delete-question = { $count ->
        [one] ¿Eliminar definitivamente el { $n } archivo de este lote? No se puede deshacer.
       *[other] ¿Eliminar definitivamente los { $n } archivos de este lote? No se puede deshacer.
    }
bundle-delete-all = Eliminar todos los archivos
bundle-keep = Conservarlos
bundle-deleted-title = Lote eliminado
bundle-deleted = { $count ->
        [one] Se ha eliminado { $count } archivo.
       *[other] Se han eliminado { $count } archivos.
    }
