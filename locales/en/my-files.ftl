# My files, /files and its edit pages (src/pages/my_files/, docs/my-files.md).
my-files-title = My files
my-files-back = Back to my files
# $text is the API's error text, $code its number.
my-files-error = { $text } (error { $code })
my-files-usage = Usage
my-files-disk = Disk space
my-files-bandwidth = Bandwidth this month
# $used and $total are sizes such as "1.2 GB".
my-files-used-of = { $used } of { $total }
my-files-used-no-limit = { $used } used, no limit
my-files-no-limit = No limit
my-files-breadcrumb = Breadcrumb
my-files-up = Up
my-files-edit-folder = Edit folder
# $query is the searched text, in bold.
my-files-search-title = Files named like { $query } in all your folders
my-files-clear-search = Clear search
my-files-new-folder = New folder
my-files-create = Create
my-files-search = Search
my-files-select = Select
my-files-select-all = Select all files
my-files-select-file = Select { $name }
my-files-actions = Actions
my-files-name = Name
my-files-size = Size
my-files-uploaded = Uploaded
my-files-downloads = Downloads
my-files-expires = Expires
# $count downloads of a limit of $limit.
my-files-downloads-of = { $count } of { $limit }
my-files-blocked = Blocked
my-files-never = Never
my-files-password-tag = Password
# $folder is a link to the folder.
my-files-in-folder = in { $folder }
my-files-copy-link = Copy link
my-files-copy-link-to = Copy link to { $name }
my-files-copied = Copied
my-files-link-copied = Link copied
my-files-copy-failed = Could not copy the link
# {"{"}n{"}"} is replaced by the script with the number.
my-files-picked-one = 1 file selected
my-files-picked-many = {"{"}n{"}"} files selected
my-files-edit = Edit
my-files-edit-file = Edit { $name }
my-files-edit-folder-named = Edit folder { $name }
my-files-delete = Delete
my-files-delete-file = Delete { $name }
my-files-empty-title = Nothing here yet
my-files-empty-root = Files you upload while logged in are listed here.
my-files-empty-folder = This folder is empty.
my-files-no-match-title = No file found
my-files-no-match = No file of yours has a name like that.
my-files-upload = Upload a file
my-files-selected-files = Selected files
my-files-with-selected = With the selected files:
my-files-move-to = Move to
my-files-move = Move
my-files-mail-links = Mail links
my-files-public-page = public page
my-files-public-page-of = Public page of { $name }
my-files-share = Share
my-files-share-named = Share { $name }
my-files-unshare = Stop sharing
my-files-unshare-named = Stop sharing { $name }
my-files-choose-files = Choose at least one file
my-files-delete-title = Delete files
my-files-delete-question = { $count ->
        [one] Delete { $name }?
       *[other] Delete these { $count } files?
    }
my-files-delete-warning = Their links stop working at once.
my-files-cancel = Cancel
my-files-mail-title = Mail links
my-files-mail-lead = Mail the links of these files:
my-files-mail-to = To
my-files-mail-to-hint = E-mail addresses, comma separated.
my-files-message = Message
my-files-optional = (optional)
my-files-send = Send
my-files-mailed = { $count ->
        [one] The links were mailed to 1 recipient.
       *[other] The links were mailed to { $count } recipients.
    }
my-files-expiry-minutes = { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
my-files-expiry-hours = { $count ->
        [one] { $count } hour
       *[other] { $count } hours
    }
my-files-expiry-days = { $count ->
        [one] { $count } day
       *[other] { $count } days
    }
my-files-expiry-seconds = { $count ->
        [one] { $count } second
       *[other] { $count } seconds
    }
my-files-action-block = Block downloads
my-files-action-delete = Delete the file
my-files-action-move = Move it to a folder
my-files-saved = Saved.
my-files-remove-password = Remove the password
my-files-link = Link
my-files-qr-alt = QR code for the download page of { $name }
my-files-folder = Folder
my-files-description = Description
my-files-new-password = New password
my-files-password = Download password
my-files-password-keep = It has a password: leave empty to keep it.
my-files-password-none = None now: leave empty for none.
my-files-expires-after = Expires after
my-files-unchanged = Unchanged
# $date is a date.
my-files-expiry-now-date = Now it expires { $date }. Counted from when you save.
my-files-expiry-now-never = Now it never expires. Counted from when you save.
my-files-download-limit = Download limit
my-files-limit-hint = Empty or 0: no limit.
my-files-limit-action = When a limit is reached
my-files-limit-folder = Folder to move it to
my-files-save = Save
my-files-delete-the-file = Delete the file
my-files-edit-title = Edit { $name }
my-files-shared-text = Anyone with the link sees its files.
my-files-private-text = Only you see it.
my-files-copy-folder-link = Copy the link of { $name }
my-files-inside = Inside
my-files-sharing = Sharing
my-files-delete-the-folder = Delete the folder
my-files-folder-delete-title = Delete folder
# $name is the folder's name, in bold.
my-files-folder-delete-question = Delete the folder { $name }?
# $size is the files' total size.
my-files-folder-holds = It holds { $files ->
        [0] no files
        [one] 1 file ({ $size })
       *[other] { $files } files ({ $size })
    }{ $folders ->
        [0] {""}
        [one] {" "}and 1 folder
       *[other] {" "}and { $folders } folders
    }: they are deleted with it.
my-files-download-log = Who downloaded
my-files-download-log-none = Nobody has downloaded this file completely yet.
my-files-download-log-when = When
my-files-download-log-who = Who
my-files-download-log-recipient = { $address } (recipient link)
# Said after a delete question: the files are gone, or wait in the trash
# (docs/expiry.md).
my-files-gone-for-good = This cannot be undone.
my-files-gone-to-trash = They stay in your trash for a while and can be restored from there.
