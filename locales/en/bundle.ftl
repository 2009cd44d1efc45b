# A bundle's page, /b/{id}, and its delete link (src/pages/bundle.rs).
bundle-unavailable = This page cannot be shown right now.
bundle-delete-failed = The bundle could not be deleted right now.
bundle-not-found-title = Bundle not found
bundle-not-found-text = No bundle has this link. It may have been deleted, or the link may be incomplete.
bundle-title = Bundle
bundle-empty = This bundle is empty.
bundle-empty-text = Its files have expired or were deleted.
bundle-files-title = { $count ->
        [one] { $count } file
       *[other] { $count } files
    }
# $when is the upload date, $size the total size.
bundle-summary = Uploaded together on { $when }, { $size } in all. Each file has its own page.
bundle-name = Name
bundle-size = Size
bundle-qr-alt = QR code of this bundle's link
bundle-qr-caption = Scan to open this page on a phone.
bundle-delete-title = Delete bundle
# $n is the number, shown in bold.
bundle-delete-question = { $count ->
        [one] Delete the { $n } file of this bundle for good? This cannot be undone.
       *[other] Delete the { $n } files of this bundle for good? This cannot be undone.
    }
bundle-delete-all = Delete all files
bundle-keep = Keep them
bundle-deleted-title = Bundle deleted
bundle-deleted = { $count ->
        [one] { $count } file was deleted.
       *[other] { $count } files were deleted.
    }
