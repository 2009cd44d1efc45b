# Dateigrößen; $value ist schon für die Sprache formatiert.
size-bytes = { $count ->
        [one] { $count } Byte
       *[other] { $count } Bytes
    }
size-kb = { $value } KB
size-mb = { $value } MB
size-gb = { $value } GB
size-tb = { $value } TB
