//! One loaded PKCS#11 module (a vendor's `.so`) and its slots.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::MechanismType;
use serde::Serialize;

use super::errors;
use crate::config::ModuleConfig;
use crate::error::{Error, Result};

/// What a module says about itself (`C_GetInfo`).
#[derive(Debug, Clone, Serialize)]
pub struct ModuleInfo {
    /// Name from the configuration (or file name).
    pub name: String,
    /// Path it was loaded from.
    pub path: PathBuf,
    /// `libraryDescription`.
    pub description: String,
    /// `manufacturerID`.
    pub manufacturer: String,
    /// `libraryVersion`, `major.minor`.
    pub library_version: String,
    /// Cryptoki version implemented, `major.minor`.
    pub cryptoki_version: String,
}

/// A slot as its module describes it (`C_GetSlotInfo`).
#[derive(Debug, Clone, Serialize)]
pub struct SlotDescription {
    /// Slot id in the module.
    pub id: u64,
    /// Usually the reader name.
    pub description: String,
    /// Reader or module manufacturer.
    pub manufacturer: String,
    /// A token is in the slot now.
    pub token_present: bool,
    /// The token can be removed (USB token, card reader).
    pub removable: bool,
    /// A hardware slot (not a software token).
    pub hardware: bool,
}

/// `manufacturerID` of kyso's own PKCS#11 module (`C_GetInfo`), with [`KYSO_DESCRIPTION`]: how
/// a loaded module is recognised as kyso's, which re-exports the modules of kyso.toml (under
/// any file name, link, copy or build).
pub const KYSO_MANUFACTURER: &str = "kyso";
/// `libraryDescription` of kyso's own PKCS#11 module; see [`KYSO_MANUFACTURER`].
pub const KYSO_DESCRIPTION: &str = "kyso PKCS#11 module";

/// A loaded and initialised PKCS#11 module. Finalised when the last user drops it.
pub struct Module {
    ctx: Pkcs11,
    info: ModuleInfo,
    avoid: Vec<MechanismType>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").field("info", &self.info).finish()
    }
}

impl Module {
    /// Loads and initialises a module (`C_Initialize` with `CKF_OS_LOCKING_OK`: we call it
    /// from several threads).
    pub fn load(cfg: &ModuleConfig) -> Result<Arc<Module>> {
        let path = &cfg.path;
        let fail = |message: String| Error::ModuleLoad {
            path: path.clone(),
            message,
        };
        if !path.exists() {
            return Err(fail("no such file".into()));
        }
        let avoid = cfg
            .avoid_mechanisms
            .iter()
            .map(|n| {
                super::mechanism::parse_name(n).ok_or_else(|| {
                    Error::InvalidInput(format!(
                        "module {}: unknown mechanism '{n}' in avoid_mechanisms",
                        cfg.display_name()
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let ctx = Pkcs11::new(path).map_err(|e| match e {
            CkError::LibraryLoading(le) => fail(le.to_string()),
            other => fail(other.to_string()),
        })?;
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(CkError::Pkcs11(rv, _)) => {
                return Err(Error::ModuleInit {
                    path: path.clone(),
                    rv: errors::rv_name(rv),
                })
            }
            Err(e) => return Err(fail(format!("C_Initialize failed: {e}"))),
        }
        let li = ctx
            .get_library_info()
            .map_err(|e| fail(format!("C_GetInfo failed: {e}")))?;
        let info = ModuleInfo {
            name: cfg.display_name(),
            path: path.clone(),
            description: li.library_description().trim().to_owned(),
            manufacturer: li.manufacturer_id().trim().to_owned(),
            library_version: li.library_version().to_string(),
            cryptoki_version: li.cryptoki_version().to_string(),
        };
        log::debug!("loaded PKCS#11 module {} ({})", info.name, path.display());
        Ok(Arc::new(Module { ctx, info, avoid }))
    }

    /// What the module says about itself.
    pub fn info(&self) -> &ModuleInfo {
        &self.info
    }

    /// Whether this is kyso's own PKCS#11 module, by what its `C_GetInfo` says.
    pub fn is_kyso(&self) -> bool {
        self.info.manufacturer == KYSO_MANUFACTURER && self.info.description == KYSO_DESCRIPTION
    }

    /// The module's name.
    pub fn name(&self) -> &str {
        &self.info.name
    }

    /// The path it was loaded from.
    pub fn path(&self) -> &Path {
        &self.info.path
    }

    pub(crate) fn ctx(&self) -> &Pkcs11 {
        &self.ctx
    }

    pub(crate) fn avoided(&self) -> &[MechanismType] {
        &self.avoid
    }

    /// Every slot, with or without a token.
    pub fn slots(&self) -> Result<Vec<cryptoki::slot::Slot>> {
        self.ctx
            .get_all_slots()
            .map_err(|e| errors::map_module(e, self.name(), self.path()))
    }

    /// Describes one slot.
    pub fn slot_description(&self, slot: cryptoki::slot::Slot) -> Result<SlotDescription> {
        let si = self
            .ctx
            .get_slot_info(slot)
            .map_err(|e| errors::map_module(e, self.name(), self.path()))?;
        Ok(SlotDescription {
            id: slot.id(),
            description: si.slot_description().trim().to_owned(),
            manufacturer: si.manufacturer_id().trim().to_owned(),
            token_present: si.token_present(),
            removable: si.removable_device(),
            hardware: si.hardware_slot(),
        })
    }
}

impl Drop for Module {
    fn drop(&mut self) {
        if let Err(e) = self.ctx.clone().finalize() {
            log::debug!("C_Finalize of {}: {e}", self.info.name);
        }
    }
}
