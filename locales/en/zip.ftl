# The zip button of shared folder and bundle pages (src/pages/folder.rs).
zip-download = Download all as zip
zip-left-out = { $count ->
        [one] One file has a password or a download limit: download it from its own page.
       *[other] { $count } files have a password or a download limit: download them from their own pages.
    }
# The My files button for the chosen files.
zip-download-selected = Download as zip
