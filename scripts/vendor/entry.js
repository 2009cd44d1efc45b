// The parts of age-encryption the pages use, as one global `age`.
export {
  Encrypter,
  Decrypter,
  generateX25519Identity,
  identityToRecipient,
} from 'age-encryption';
