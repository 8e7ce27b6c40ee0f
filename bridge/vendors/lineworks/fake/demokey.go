package fake

// The demo app of the fake. Its RSA key pair was generated once for this
// repository and is PUBLIC: it is a DEMO KEY for tests and the embedded
// demo only. Never register it with a real LINE WORKS app; a real
// deployment configures its own key (private_key: file:/path/to/key.pem).
const (
	DemoClientID       = "demo-lineworks-client-id"
	DemoClientSecret   = "demo-lineworks-client-secret"
	DemoServiceAccount = "demo.serviceaccount@example.com"
)

// DemoPrivateKeyPEM is the DEMO private key (PKCS #8, as the LINE WORKS
// Developer Console hands it out). Test-only; public in this repository.
const DemoPrivateKeyPEM = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQClBfbQdTr/olAl
BKkSkkx3z1Oy1OdXhT3oaOvSlQeJi2acVmXZ7bFHjLrgerfl8q16Wg76FWyaMQcG
9bwomu8Ul58IAmMio35j1qsCrXk0Iu4UzMiH5msY+apWvm5VGb0OhqVocmDkYgZ3
xuOlAUhzPuHyM5j3CKrgHTxfzqm1MNpH5fL8l7FnVZ036QE2HuCxgQvMpFzUvVHN
GC0uymi8u8zyTeczjpl4KSsr2mmXEMtcFov8fejMLlGtLTKr40c8koRhP9d6mZa1
95n5COMQPHoczB9wzfhkJAPluR+E6X0XSW6HvAayaxn1lYXLdR5xyhV/TaNgIHWy
lOHkZHPFAgMBAAECggEAI3aPZpdWzTJQpk/k1JKff7zMiBkUORzvY6dOjGPN6ZtN
OwofG7DmoNFnpI+CvxYCfVFmuAwMGWuxTqfW3mQDPmnh+Wrn6nz3j5WFjQ8CBbf+
8XXbn0bfW4/lsPv+AmhEVl+Nos83rsS5Dprtd1t5+hg4np/Dfsz8SarGu3ESS9dB
5b9WmnOsyh3ZHZAL/Ro135KnGIlflwNrQiB9aRTAGVmjpFl9p8DbO5rDGc0mvdgV
+JmTJ9EX985O4yScbmp9tmZjE8RyvsSfBKENxKBx9bbKBzPlWG8iu7/NfhJpMTdH
i9xJZX3nB9CLrsg+4QhOZXOBS0fCs1AdDy8pfry08QKBgQDeqFVEMzVF5SROZpBv
80+oyood0ongsCrcY6zUKmEYtEajVgakR2Ty5e+qNy6HnNvXdqu7X1GdJ23XWne2
I50ZFTFnWZcKIiN/FpmuN3kp2ATvtyWWhMlBSF2qJ04eDMCon4fbLdsFW3JLM18D
36cLyRPP8nA+yuOoLLV09WtXNQKBgQC9vDLemuH3zDdBshL2WXogudgjp5lFhxPY
tQ3DS/ZNui7q8g7CGQvFw3rS0bQTQVdOV2d73s0PpdG85tVJJUB+PAbOWRr8MVn2
dpJnfhpP8wRorvf/pwqrczbpYW0kKrsKcRjqdGOf5MA9rqa4Wymw0RgM3odHooFr
L0O34QXsUQKBgH9EkJhO/OBavYniriSPWrUMMC4jrZO0nosiniMXpjBMuyOZhGpa
NKVyMK+Gox341uAtgLO1JB1D8FDr8Qk3ChDQQFDmsKKmKMv3yxf9tU/pnci3UtDa
TX73MjKUDN64Q1ce+LSbXVmOj6HUVzcLm5vs71opJWd+6OmzxHR540URAoGBAJWJ
cn5Hi7kFVreMZa2LL9oDHvpa6U4G+/lcGRDHGcSA7OF3DXKk0sZ3HqJxbH+QjALO
mFzkaLHgesFrHMadeYsEPEj9qWsCamj5YsH2fT5txhfLbuIrARnHoIunoaFTnD7K
jFychrhKTclPkU7TarRU16Os7unihiW4BqMx0r1BAoGAIUgoNrxgCuBYQHBbmicU
QHW0CE1oB7m+llgiG8ftA5lCU1gFub4e7Y6ltkPbFkgs7NyNtNAfmwf+x3ptYL6d
6xSXIwx9l8lEXc2LTvmIacjSzyH73GNnTel+if0SeuWBFDyT2eJSs3Fqg5igNcKY
F4dTpFF74DaMgt9LhY6gO2k=
-----END PRIVATE KEY-----
`

// DemoPublicKeyPEM is the public half of DemoPrivateKeyPEM; the fake
// verifies assertions with it.
const DemoPublicKeyPEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApQX20HU6/6JQJQSpEpJM
d89TstTnV4U96Gjr0pUHiYtmnFZl2e2xR4y64Hq35fKteloO+hVsmjEHBvW8KJrv
FJefCAJjIqN+Y9arAq15NCLuFMzIh+ZrGPmqVr5uVRm9DoalaHJg5GIGd8bjpQFI
cz7h8jOY9wiq4B08X86ptTDaR+Xy/JexZ1WdN+kBNh7gsYELzKRc1L1RzRgtLspo
vLvM8k3nM46ZeCkrK9pplxDLXBaL/H3ozC5RrS0yq+NHPJKEYT/XepmWtfeZ+Qjj
EDx6HMwfcM34ZCQD5bkfhOl9F0luh7wGsmsZ9ZWFy3UeccoVf02jYCB1spTh5GRz
xQIDAQAB
-----END PUBLIC KEY-----
`
