request-page-title = File request
request-lead = { $name } asks you for files
request-unavailable = The file request cannot be opened right now. Please try again in a moment.
request-not-found-title = File request not found
request-not-found-text = There is no file request at this address. Check the link you were given.
request-closed = This file request is closed: it takes no more files.
request-expired = This file request has expired: it takes no more files.
request-full = This file request has received all the files it takes.
request-cap-files = { $count ->
    [one] Up to { $count } file
   *[other] Up to { $count } files
}
request-cap-bytes = Up to { $size } in all
request-cap-file-size = Up to { $size } per file
request-cap-until = Open until
request-private = Only the person who asked sees what you send; you see nothing of what others sent.
request-password = Password of this file request
request-open = Open
request-wrong-password = Wrong password.
request-note = A note for the recipient
request-receipt-title = Receipt
request-receipt-lead = Received through the file request "{ $title }":
request-receipt-name = File
request-receipt-size = Size
request-receipt-bytes = Bytes
request-receipt-checksum = BLAKE3 checksum
request-receipt-received = Received
requests-title = File requests
requests-lead = Ask anyone for files: they upload through the link into the folder you choose, and see nothing else.
requests-none = No file requests yet.
requests-col-title = Request
requests-col-state = State
requests-col-received = Received
requests-col-until = Open until
requests-col-actions = Actions
requests-state-open = Open
requests-state-closed = Closed
requests-state-expired = Expired
requests-state-full = Full
requests-received = { $count ->
    [one] { $count } file, { $size }
   *[other] { $count } files, { $size }
}
requests-never = Never
requests-1-day = 1 day
requests-7-days = 7 days
requests-30-days = 30 days
requests-close = Close
requests-close-named = Close { $name }
requests-new = New file request
requests-field-title = Title
requests-field-folder = Files land in
requests-field-message = Message to show
requests-field-password = Password
requests-field-expires = Open for
requests-field-max-files = Most files
requests-field-max-mb = Most MB in all
requests-field-max-file-mb = Most MB per file
requests-field-notify = Mail me each file that arrives
requests-field-encrypted = Encrypt uploads to my keys (end-to-end)
requests-field-encrypted-hint = Uploaders' browsers encrypt each file to the age keys on your account page; only you can open them.
requests-create = Create the request
