# A shared folder's page, /folder/{id} (src/pages/folder.rs).
folder-unavailable = This folder cannot be shown right now.
folder-empty = This folder is empty.
folder-name = Name
folder-size = Size
folder-uploaded = Uploaded
folder-shared = Shared folder
folder-rss = RSS feed
