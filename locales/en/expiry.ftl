# The extend link of an expiry warning, /extend/… (src/pages/extend.rs),
# and My files' Extend button and Trash (src/pages/my_files/).
extend-title = Keep it longer
# $name is the item's name in bold, $date when it expires.
extend-question = { $name } expires on { $date }. Keep it longer?
extend-button = Extend
extend-done-title = Extended
extend-done = { $name } now expires on { $date }.
extend-invalid-title = Link not valid
extend-invalid = This link is not valid any more: the item has expired, was already extended, or the link is incomplete.
extend-unavailable = This page cannot be shown right now.
my-files-extend = Extend
trash-title = Trash
trash-link = Trash
trash-empty = The trash is empty.
trash-intro = Deleted and expired files stay here until their purge time; restore them before then.
trash-name = Name
trash-size = Size
trash-when = Deleted
trash-purge = Removed for good
trash-reason-deleted = deleted
trash-reason-expired = expired
trash-restore = Restore
trash-delete = Delete forever
trash-restored = The file was restored.
trash-purged = The file was deleted for good.
trash-over-quota = Not enough disk space left to restore this file.
# The delete link's question for a file that goes to its owner's trash.
delete-question-trash = Delete { $name }? It stays in its owner's trash for a while and can be restored from there.
