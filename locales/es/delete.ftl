# El enlace de eliminación de un archivo, /delete/{id}/{secret} (src/pages/delete.rs).
delete-unavailable = Esta página no se puede mostrar en este momento.
delete-failed = El archivo no se ha podido eliminar en este momento.
delete-title = Eliminar archivo
delete-question = ¿Eliminar { $name } definitivamente? No se puede deshacer.
delete-button = Eliminar
delete-keep = Conservarlo
delete-done-title = Archivo eliminado
delete-done = Se ha eliminado { $name }.
