//! The little HTTP kyso speaks: RFC 3161 timestamp queries, OCSP requests and CRL downloads,
//! each with a deadline and a size limit, over `ureq`.

use std::time::Duration;

use crate::error::{Error, NetworkFailure, Result};

/// Largest reply accepted (a big CRL of a national CA is a few MB).
const MAX_REPLY: u64 = 32 * 1024 * 1024;

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into()
}

/// POSTs `body` with `content_type`, returns the reply's body; a non-2xx status is an error.
pub fn post(url: &str, content_type: &str, body: &[u8], timeout: Duration) -> Result<Vec<u8>> {
    let reply = agent(timeout)
        .post(url)
        .header("Content-Type", content_type)
        .send(body);
    read(url, reply)
}

/// GETs `url`, returns the reply's body; a non-2xx status is an error.
pub fn get(url: &str, timeout: Duration) -> Result<Vec<u8>> {
    read(url, agent(timeout).get(url).call())
}

fn read(
    url: &str,
    reply: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Vec<u8>> {
    let err = |e: ureq::Error| Error::Network {
        url: url.to_owned(),
        failure: NetworkFailure::Unreachable(e.to_string()),
    };
    let mut reply = reply.map_err(err)?;
    let status = reply.status();
    if !status.is_success() {
        return Err(Error::Network {
            url: url.to_owned(),
            failure: NetworkFailure::HttpStatus(status.to_string()),
        });
    }
    reply
        .body_mut()
        .with_config()
        .limit(MAX_REPLY)
        .read_to_vec()
        .map_err(err)
}
