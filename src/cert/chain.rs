//! Building a certificate chain from a leaf to a trust anchor, checking every signature, and
//! reporting what would make the chain unusable at a given time.

use time::OffsetDateTime;

use super::certificate::{rfc3339, Certificate};
use super::name::names_match;
use crate::error::{Error, Result};

/// Longest chain accepted: real Vietnamese chains have 2 or 3 certificates.
const MAX_CHAIN: usize = 10;

/// Builds the chain `leaf, intermediates…, anchor`, matching each issuer name to a subject and
/// verifying each signature with the issuer's key.
///
/// Anchors are preferred over intermediates at every step; when several candidates share a
/// name, each is tried (depth first). A leaf that is itself an anchor gives `[leaf]`.
pub fn build_chain(
    leaf: &Certificate,
    intermediates: &[Certificate],
    anchors: &[Certificate],
) -> Result<Vec<Certificate>> {
    let mut chain = vec![leaf.clone()];
    extend(&mut chain, intermediates, anchors)?;
    Ok(chain)
}

fn extend(
    chain: &mut Vec<Certificate>,
    intermediates: &[Certificate],
    anchors: &[Certificate],
) -> Result<()> {
    let current = chain
        .last()
        .cloned()
        .ok_or_else(|| Error::InvalidInput("certificate chain: no leaf certificate".into()))?;
    if anchors.contains(&current) {
        return Ok(());
    }
    let issued_by = |c: &&Certificate| {
        c.subject_der() == current.issuer_der() || names_match(c.subject(), current.issuer())
    };

    // The most relevant failure seen so far, reported when no path succeeds.
    let mut failure: Option<Error> = None;
    for anchor in anchors.iter().filter(issued_by) {
        match current.verify_signed_by(anchor) {
            Ok(()) => {
                chain.push(anchor.clone());
                return Ok(());
            }
            Err(e) => failure = Some(e),
        }
    }

    let candidates: Vec<&Certificate> = intermediates.iter().filter(issued_by).collect();
    let mut looped = false;
    for candidate in candidates.iter().copied() {
        if chain.contains(candidate) {
            looped = true;
            continue;
        }
        if chain.len() >= MAX_CHAIN {
            return Err(Error::Certificate(format!(
                "certificate chain longer than {MAX_CHAIN} certificates at '{}'",
                current.subject()
            )));
        }
        if let Err(e) = current.verify_signed_by(candidate) {
            failure.get_or_insert(e);
            continue;
        }
        chain.push(candidate.clone());
        match extend(chain, intermediates, anchors) {
            Ok(()) => return Ok(()),
            Err(e) => {
                chain.pop();
                failure = Some(e);
            }
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    // A self-signed root given with the chain (a TSA's token carries its root) is where the
    // chain ends, not a loop: name the missing anchor.
    if current.is_self_issued() {
        return Err(Error::CertificateNotFound(format!(
            "trust anchor: the chain ends at self-signed '{}', which is not among the {} trust \
             anchor(s) given",
            current.subject(),
            anchors.len()
        )));
    }
    if looped {
        return Err(Error::Certificate(crate::t!(
            "chain-loops",
            issuer = current.issuer()
        )));
    }
    Err(Error::CertificateNotFound(crate::t!(
        "chain-issuer-not-found",
        issuer = current.issuer(),
        subject = current.subject(),
        anchors = anchors.len(),
        intermediates = intermediates.len()
    )))
}

/// What makes a chain (leaf first) unusable at `at`: certificates not yet valid or expired, and
/// issuers that are not CAs. Empty when all is well.
pub fn check_validity(chain: &[Certificate], at: OffsetDateTime) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, cert) in chain.iter().enumerate() {
        if at < cert.not_before() {
            problems.push(crate::t!(
                "problem-not-yet-valid",
                subject = cert.subject(),
                time = rfc3339(cert.not_before())
            ));
        } else if at > cert.not_after() {
            problems.push(crate::t!(
                "problem-expired",
                subject = cert.subject(),
                time = rfc3339(cert.not_after())
            ));
        }
        if i > 0 && !cert.is_ca() {
            problems.push(crate::t!(
                "problem-issuer-not-ca",
                subject = cert.subject(),
                issued = chain[i - 1].subject()
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use rcgen::DnType;
    use time::macros::datetime;

    #[test]
    fn viettel_to_national_root() {
        let chain = build_chain(&viettel(), &[], &[root()]).unwrap();
        assert_eq!(chain, vec![viettel(), root()]);
        assert!(check_validity(&chain, datetime!(2025-01-01 0:00 UTC)).is_empty());
        let problems = check_validity(&chain, datetime!(2028-01-01 0:00 UTC));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("Viettel-CA RS' expired on 2027-09-26"),
            "{problems:?}"
        );
        let problems = check_validity(&chain, datetime!(2020-01-01 0:00 UTC));
        assert!(
            problems[0].contains("not valid before 2022-09-26"),
            "{problems:?}"
        );
    }

    #[test]
    fn root_alone_is_its_own_chain() {
        assert_eq!(build_chain(&root(), &[], &[root()]).unwrap(), vec![root()]);
    }

    #[test]
    fn missing_anchor_is_named() {
        let other =
            Certificate::from_der(TestCa::new(dn(&[(DnType::CommonName, "Other")])).der).unwrap();
        let err = build_chain(&viettel(), &[], &[other]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("issuer 'CN=Vietnam National Root CA,OU=National Centre of Digital Signature Authentication,O=Ministry of Information and Communications,C=VN' of 'C=VN,O=Viettel Group,CN=Viettel-CA RS' not found among the trust anchors"),
            "{msg}"
        );
        let err = build_chain(&root(), &[], &[]).unwrap_err();
        assert!(err.to_string().contains("self-signed"), "{err}");
        // the root carried with the chain (as a TSA's token carries it), not trusted
        let err = build_chain(&viettel(), &[root()], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("the chain ends at self-signed"), "{err}");
        assert!(!err.contains("loops back"), "{err}");
    }

    #[test]
    fn impostor_anchor_with_the_same_name_fails_on_signature() {
        let impostor = TestCa::new(dn(&[
            (DnType::CountryName, "VN"),
            (
                DnType::OrganizationName,
                "Ministry of Information and Communications",
            ),
            (
                DnType::OrganizationalUnitName,
                "National Centre of Digital Signature Authentication",
            ),
            (DnType::CommonName, "Vietnam National Root CA"),
        ]));
        let impostor = Certificate::from_der(impostor.der).unwrap();
        assert_eq!(impostor.subject(), root().subject());
        let err = build_chain(&viettel(), &[], &[impostor]).unwrap_err();
        assert!(matches!(err, Error::Certificate(_)));
        assert!(err.to_string().contains("does not verify"), "{err}");
    }

    #[test]
    fn generated_three_level_chain() {
        let root_ca = TestCa::new(dn(&[
            (DnType::CountryName, "VN"),
            (DnType::CommonName, "Test Root CA"),
        ]));
        let mut sub_params = rcgen::CertificateParams::default();
        sub_params.distinguished_name = dn(&[
            (DnType::CountryName, "VN"),
            (DnType::OrganizationName, "Tập đoàn Thử nghiệm"),
            (DnType::CommonName, "Test Sub CA"),
        ]);
        sub_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
        let sub_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let sub_der = sub_params
            .signed_by(&sub_key, &root_ca.issuer())
            .unwrap()
            .der()
            .to_vec();
        let sub = TestCa {
            key: sub_key,
            der: sub_der,
            params: sub_params,
        };
        let leaf = sub.issue(dn(&[
            (DnType::CountryName, "VN"),
            (uid(), "CCCD:001099012345"),
            (DnType::CommonName, "NGUYỄN VĂN AN"),
        ]));
        let leaf = Certificate::from_der(leaf).unwrap();
        let sub = Certificate::from_der(sub.der).unwrap();
        let root_c = Certificate::from_der(root_ca.der.clone()).unwrap();

        // unrelated intermediates are ignored
        let chain =
            build_chain(&leaf, &[viettel(), sub.clone()], &[root(), root_c.clone()]).unwrap();
        assert_eq!(chain, vec![leaf.clone(), sub.clone(), root_c.clone()]);
        assert!(check_validity(&chain, OffsetDateTime::now_utc()).is_empty());

        // without the intermediate
        let err = build_chain(&leaf, &[], std::slice::from_ref(&root_c)).unwrap_err();
        assert!(err
            .to_string()
            .contains("issuer 'CN=Test Sub CA,O=Tập đoàn Thử nghiệm,C=VN'"));

        // a leaf used as an issuer is flagged
        let problems = check_validity(&[leaf.clone(), leaf.clone()], OffsetDateTime::now_utc());
        assert!(problems[0].contains("is not a CA"), "{problems:?}");
    }

    #[test]
    fn loops_are_detected() {
        // Two CAs that name each other as issuer: A (issued by B) and B (issued by A).
        let a_name = dn(&[(DnType::CommonName, "Loop A")]);
        let b_name = dn(&[(DnType::CommonName, "Loop B")]);
        let a = TestCa::new(a_name.clone());
        let b = TestCa::new(b_name.clone());
        let cross = |subject: &TestCa, issuer: &TestCa| {
            let mut p = subject.params.clone();
            p.distinguished_name = subject.params.distinguished_name.clone();
            Certificate::from_der(
                p.signed_by(&subject.key, &issuer.issuer())
                    .unwrap()
                    .der()
                    .to_vec(),
            )
            .unwrap()
        };
        let a_by_b = cross(&a, &b);
        let b_by_a = cross(&b, &a);
        let leaf = Certificate::from_der(a.issue(dn(&[(DnType::CommonName, "leaf")]))).unwrap();
        let err = build_chain(&leaf, &[a_by_b, b_by_a], &[]).unwrap_err();
        assert!(err.to_string().contains("loops"), "{err}");
    }
}
