# A file's delete link, /delete/{id}/{secret} (src/pages/delete.rs).
delete-unavailable = This page cannot be shown right now.
delete-failed = The file could not be deleted right now.
delete-title = Delete file
# $name is the file's name, in bold.
delete-question = Delete { $name } for good? This cannot be undone.
delete-button = Delete
delete-keep = Keep it
delete-done-title = File deleted
delete-done = { $name } was deleted.
