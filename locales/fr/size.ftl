# Tailles de fichiers ; $value est déjà formaté pour la langue.
size-bytes = { $count ->
        [one] { $count } octet
       *[other] { $count } octets
    }
size-kb = { $value } Ko
size-mb = { $value } Mo
size-gb = { $value } Go
size-tb = { $value } To
