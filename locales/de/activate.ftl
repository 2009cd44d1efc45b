# Der Aktivierungslink eines Kontos, /activate/{token} (src/pages/activate.rs).
activate-title = Konto aktiviert
activate-done = Das Konto { $name } ist aktiv. Sie können sich jetzt anmelden.
activate-log-in = Anmelden
activate-unknown-title = Unbekannter Aktivierungslink
activate-unknown = Dieser Aktivierungslink ist unbekannt oder wurde bereits verwendet.
activate-failed = Der Server konnte das Konto gerade nicht aktivieren.
