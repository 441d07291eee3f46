"""Cryptographic verification of one signature the Response carries (W3C XML Signature, with signxml).

AWS verifies the signature of the Response or of the Assertion with a
certificate of the metadata uploaded to the IAM SAML provider; without
metadata only integrity can be checked, with the certificate the signature
itself carries.
"""

from __future__ import annotations

from dataclasses import dataclass

from samlcreds.creds import iso_utc
from samlcreds.doctor.metadata import IdpMetadata, fingerprint, pem
from samlcreds.saml import SignatureFact


@dataclass(frozen=True)
class SignatureResult:
    """How one signature fared: ``label`` (its location), ``ok``, ``trust``
    (``metadata``, ``embedded`` or ``none``), ``detail`` in plain words, and
    what went wrong (``tampered``, ``wrong_cert``, ``misplaced``: it signs
    another element than the one it sits in), ``expired_cert`` (a note) and
    the SignatureMethod's short name."""

    label: str
    ok: bool
    trust: str
    detail: str
    tampered: bool = False
    expired_cert: str | None = None
    wrong_cert: bool = False
    misplaced: bool = False
    algorithm: str = ""


def _verify_one(element, cert_pem: str):
    """Verify the ds:Signature that is a direct child of ``element`` with ``cert_pem``.

    Returns ``(ok, error, expired_note)``; ``error`` is the signxml exception.
    A certificate outside its validity period is retried at a time inside it
    (AWS verifies with the certificate in the provider's metadata; its dates
    are reported, not used to reject here).
    """
    from cryptography import x509
    from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier
    from signxml.exceptions import InvalidCertificate, SignXMLException

    config = SignatureConfiguration(
        location="./",
        signature_methods=frozenset(SignatureMethod),
        digest_algorithms=frozenset(DigestAlgorithm),
    )
    try:
        result = XMLVerifier().verify(element, x509_cert=cert_pem, expect_config=config)
    except InvalidCertificate:
        cert = x509.load_pem_x509_certificate(cert_pem.encode("ascii"))
        inside = cert.not_valid_before_utc + (cert.not_valid_after_utc - cert.not_valid_before_utc) / 2
        note = (f"the certificate is valid only from {iso_utc(cert.not_valid_before_utc)} to "
                f"{iso_utc(cert.not_valid_after_utc)}")
        config = SignatureConfiguration(
            location="./", signature_methods=config.signature_methods,
            digest_algorithms=config.digest_algorithms, verification_time=inside,
        )
        try:
            result = XMLVerifier().verify(element, x509_cert=cert_pem, expect_config=config)
        except (SignXMLException, ValueError) as again:
            return False, again, note
        return _signed_is_element(result, element), None, note
    except (SignXMLException, ValueError) as exc:
        return False, exc, None
    ok = _signed_is_element(result, element)
    return ok, None if ok else ValueError("the signature does not cover the element it sits in"), None


def _signed_is_element(result, element) -> bool:
    signed = getattr(result, "signed_xml", None)
    return signed is not None and signed.get("ID") == element.get("ID") and signed.tag == element.tag


def verify_signature(fact: SignatureFact, idp: IdpMetadata | None) -> SignatureResult:
    """Verify ``fact`` against the metadata's certificates (``idp``), else its embedded certificate."""
    from signxml.exceptions import InvalidDigest

    label, algorithm = fact.location, fact.algorithm
    if not fact.covers_location:
        target = f"the {fact.covers}" if fact.covers else "no element of the Response"
        refs = ", ".join(repr(r) for r in fact.references) or "nothing"
        return SignatureResult(label, False, "none", f"the ds:Signature inside the {label} references {refs} "
                               f"({target}), not the {label} it sits in; AWS does not count it as signing the "
                               f"{label}", misplaced=True, algorithm=algorithm)
    element = fact.element
    embedded = pem(fact.certificate) if fact.certificate else None
    digest_changed = SignatureResult(label, False, "metadata", f"the {label}'s content was changed after it was "
                                     "signed (digest mismatch)", tampered=True, algorithm=algorithm)
    if idp is not None:
        errors_seen = []
        for cert in idp.certificates:
            ok, error, note = _verify_one(element, cert)
            if ok:
                return SignatureResult(label, True, "metadata", f"valid with the metadata certificate "
                                       f"{fingerprint(cert)}", expired_cert=note, algorithm=algorithm)
            errors_seen.append(error)
        if any(isinstance(e, InvalidDigest) for e in errors_seen):
            return digest_changed
        if embedded is not None:
            ok, error, _ = _verify_one(element, embedded)
            if ok:
                fps = ", ".join(fingerprint(c) for c in idp.certificates)
                return SignatureResult(label, False, "metadata",
                                       f"the {label} is signed with certificate {fingerprint(embedded)}, which is "
                                       f"not in the metadata (it has {fps})", wrong_cert=True, algorithm=algorithm)
            if isinstance(error, InvalidDigest):
                return digest_changed
        detail = str(errors_seen[-1]) if errors_seen else "no certificate to check with"
        return SignatureResult(label, False, "metadata", f"the {label}'s signature does not verify with the "
                               f"metadata certificate ({detail})", wrong_cert=True, algorithm=algorithm)
    if embedded is None:
        return SignatureResult(label, False, "none", f"the {label}'s signature carries no X.509 certificate and "
                               "no metadata was given to check it with", algorithm=algorithm)
    ok, error, note = _verify_one(element, embedded)
    if ok:
        return SignatureResult(label, True, "embedded", f"intact, checked with the certificate the signature "
                               f"carries ({fingerprint(embedded)})", expired_cert=note, algorithm=algorithm)
    if isinstance(error, InvalidDigest):
        return SignatureResult(label, False, "embedded", f"the {label}'s content was changed after it was signed "
                               "(digest mismatch)", tampered=True, algorithm=algorithm)
    return SignatureResult(label, False, "embedded", f"the {label}'s signature is invalid ({error})", tampered=True,
                           algorithm=algorithm)
