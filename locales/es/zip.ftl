# The zip button of shared folder and bundle pages (src/pages/folder.rs).
zip-download = Descargar todo en ZIP
zip-left-out = { $count ->
        [one] Un archivo tiene contraseña o límite de descargas: descárguelo desde su propia página.
       *[other] { $count } archivos tienen contraseña o límite de descargas: descárguelos desde sus propias páginas.
    }
# The My files button for the chosen files.
zip-download-selected = Descargar en ZIP
