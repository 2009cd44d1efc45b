# El enlace para prolongar de un aviso de caducidad, /extend/…
# (src/pages/extend.rs), y «Prolongar» y la papelera de Mis archivos.
extend-title = Conservar más tiempo
extend-question = { $name } caduca el { $date }. ¿Conservarlo más tiempo?
extend-button = Prolongar
extend-done-title = Prolongado
extend-done = { $name } caduca ahora el { $date }.
extend-invalid-title = Enlace no válido
extend-invalid = Este enlace ya no es válido: el elemento ha caducado, ya se prolongó o el enlace está incompleto.
extend-unavailable = Esta página no se puede mostrar ahora.
my-files-extend = Prolongar
trash-title = Papelera
trash-link = Papelera
trash-empty = La papelera está vacía.
trash-intro = Los archivos eliminados o caducados quedan aquí hasta su eliminación definitiva; restáurelos antes.
trash-name = Nombre
trash-size = Tamaño
trash-when = Eliminado
trash-purge = Eliminado definitivamente el
trash-reason-deleted = eliminado
trash-reason-expired = caducado
trash-restore = Restaurar
trash-delete = Eliminar definitivamente
trash-restored = El archivo se ha restaurado.
trash-purged = El archivo se ha eliminado definitivamente.
trash-over-quota = No queda espacio suficiente para restaurar este archivo.
delete-question-trash = ¿Eliminar { $name }? Queda un tiempo en la papelera de su propietario y puede restaurarse desde allí.
