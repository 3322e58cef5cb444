"""cert_file.py: the development certificate as DER and as the C header
digsig.ko compiles in, and the refusal of something that is no certificate."""
import base64
import os
import re
import tempfile
import unittest

import cert_file

CERT = os.path.join(os.environ["TEST_SRCDIR"], os.environ["TEST_WORKSPACE"],
                    "rules/dev_key/cert.pem")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def pem_body(path):
    text = read(path).decode()
    body = text.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return base64.b64decode("".join(body.split()))


class CertFileTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))

    def path(self, name):
        return os.path.join(self.dir, name)

    def test_der_from_pem_and_from_der(self):
        der = pem_body(CERT)
        cert_file.main("der", CERT, self.path("cert.der"))
        self.assertEqual(read(self.path("cert.der")), der)
        # DER in, the same DER out.
        cert_file.main("der", self.path("cert.der"), self.path("again.der"))
        self.assertEqual(read(self.path("again.der")), der)

    def test_first_certificate_of_a_bundle(self):
        pem = read(CERT)
        with open(self.path("bundle.pem"), "wb") as f:
            f.write(b"leading text\n" + pem + pem.replace(b"MII", b"MIJ", 1))
        self.assertEqual(cert_file.read_der(self.path("bundle.pem")), pem_body(CERT))

    def test_c_header_holds_the_same_bytes(self):
        cert_file.main("c-header", CERT, self.path("digsig_certs.h"))
        header = read(self.path("digsig_certs.h")).decode()
        self.assertIn("#ifndef DIGSIG_CERTS_H", header)
        array = re.search(r"digsig_builtin_cert\[\] = \{(.*?)\};", header, re.S).group(1)
        self.assertEqual(bytes(int(b, 16) for b in re.findall(r"0x([0-9a-f]{2})", array)),
                         pem_body(CERT))

    def test_refusals(self):
        with open(self.path("not-a-cert"), "wb") as f:
            f.write(b"hello")
        with self.assertRaises(SystemExit) as raised:
            cert_file.read_der(self.path("not-a-cert"))
        self.assertIn("not a certificate", str(raised.exception))
        with self.assertRaises(SystemExit) as raised:
            cert_file.main("pem", CERT, self.path("out"))
        self.assertIn("unknown form pem", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
