//! A pool's stored resources besides users, clients and groups: resource servers, identity
//! providers and user-pool domains (created, described, listed, updated, deleted), and the
//! user-import CSV header.

use serde_json::{Map, Value, json};

use crate::api::{ApiError, ApiResult, Body, invalid_param, not_found};
use crate::ops::{idp_details, page};
use crate::state::{DomainRecord, State, Stored};

fn with_next(mut out: Value, key: &str, next: Option<String>) -> Value {
    if let Some(n) = next {
        out[key] = json!(n);
    }
    out
}

/// The request's members among `keys`, as given.
fn members(b: &Body, keys: &[&str]) -> Map<String, Value> {
    keys.iter()
        .filter_map(|k| {
            b.0.get(*k)
                .filter(|v| !v.is_null())
                .map(|v| ((*k).to_string(), v.clone()))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Resource servers

fn server_json(pool_id: &str, s: &Stored) -> Value {
    let mut m = s.body.clone();
    m.insert("UserPoolId".into(), json!(pool_id));
    m.entry("Scopes").or_insert_with(|| json!([]));
    Value::Object(m)
}

fn server_missing(id: &str) -> ApiError {
    not_found(format!("Resource server {id} does not exist."))
}

pub(crate) fn create_resource_server(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = b.str("Identifier")?.to_string();
    b.str("Name")?;
    let body = members(b, &["Identifier", "Name", "Scopes"]);
    let now = st.now_f();
    let pool = st.pool_mut(b.str("UserPoolId")?)?;
    if pool.res.resource_servers.contains_key(&id) {
        return Err(invalid_param(format!(
            "Resource server with identifier {id} already exists."
        )));
    }
    let s = Stored {
        body,
        created: now,
        modified: now,
    };
    let out = server_json(&pool.id, &s);
    pool.res.resource_servers.insert(id, s);
    Ok(json!({ "ResourceServer": out }))
}

pub(crate) fn describe_resource_server(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = b.str("Identifier")?;
    let pool = st.pool(b.str("UserPoolId")?)?;
    let s = pool
        .res
        .resource_servers
        .get(id)
        .ok_or_else(|| server_missing(id))?;
    Ok(json!({ "ResourceServer": server_json(&pool.id, s) }))
}

/// `UpdateResourceServer` replaces the name and scopes (omitted scopes: none).
pub(crate) fn update_resource_server(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = b.str("Identifier")?;
    b.str("Name")?;
    let body = members(b, &["Identifier", "Name", "Scopes"]);
    let now = st.now_f();
    let pool = st.pool_mut(b.str("UserPoolId")?)?;
    let pool_id = pool.id.clone();
    let s = pool
        .res
        .resource_servers
        .get_mut(id)
        .ok_or_else(|| server_missing(id))?;
    s.body = body;
    s.modified = now;
    Ok(json!({ "ResourceServer": server_json(&pool_id, s) }))
}

pub(crate) fn delete_resource_server(st: &mut State, b: &Body) -> ApiResult<Value> {
    let id = b.str("Identifier")?;
    let pool = st.pool_mut(b.str("UserPoolId")?)?;
    pool.res
        .resource_servers
        .remove(id)
        .ok_or_else(|| server_missing(id))?;
    Ok(json!({}))
}

pub(crate) fn list_resource_servers(st: &mut State, b: &Body) -> ApiResult<Value> {
    let limit = page::limit(b, "MaxResults", 50)?;
    let pool = st.pool(b.str("UserPoolId")?)?;
    let items = pool
        .res
        .resource_servers
        .iter()
        .map(|(k, s)| (k.clone(), server_json(&pool.id, s)));
    let scope = format!("ListResourceServers\0{}", pool.id);
    let (list, next) = page::page(st, &scope, b.opt_str("NextToken")?, limit, items)?;
    Ok(with_next(
        json!({ "ResourceServers": list }),
        "NextToken",
        next,
    ))
}

// ---------------------------------------------------------------------------------------
// Identity providers

const IDP_MEMBERS: &[&str] = &[
    "ProviderName",
    "ProviderType",
    "ProviderDetails",
    "AttributeMapping",
    "IdpIdentifiers",
];

fn idp_json(pool_id: &str, s: &Stored) -> Value {
    let mut m = s.body.clone();
    m.insert("UserPoolId".into(), json!(pool_id));
    let ty = s
        .body
        .get("ProviderType")
        .and_then(Value::as_str)
        .unwrap_or("");
    let details = idp_details::described(ty, &obj(&s.body, "ProviderDetails"));
    m.insert("ProviderDetails".into(), Value::Object(details));
    m.entry("AttributeMapping").or_insert_with(|| json!({}));
    m.entry("IdpIdentifiers").or_insert_with(|| json!([]));
    m.insert("LastModifiedDate".into(), json!(s.modified));
    m.insert("CreationDate".into(), json!(s.created));
    Value::Object(m)
}

fn idp_missing(name: &str) -> ApiError {
    not_found(format!("Identity provider {name} does not exist."))
}

/// A member of a stored body that is a JSON object, or an empty one.
fn obj(body: &Map<String, Value>, key: &str) -> Map<String, Value> {
    body.get(key)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Stores the details and mapping as AWS does: required details checked, AWS's defaults
/// added.
fn normalise_idp(body: &mut Map<String, Value>) -> ApiResult<()> {
    let ty = body
        .get("ProviderType")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (details, mapping) = idp_details::normalise(
        &ty,
        obj(body, "ProviderDetails"),
        obj(body, "AttributeMapping"),
    )?;
    body.insert("ProviderDetails".into(), Value::Object(details));
    body.insert("AttributeMapping".into(), Value::Object(mapping));
    Ok(())
}

pub(crate) fn create_identity_provider(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str("ProviderName")?.to_string();
    idp_details::check_name(&name, b.str("ProviderType")?)?;
    let identifiers = b.opt_str_list("IdpIdentifiers")?.unwrap_or_default();
    let mut body = members(b, IDP_MEMBERS);
    normalise_idp(&mut body)?;
    let now = st.now_f();
    let pool = st.pool_mut(b.str("UserPoolId")?)?;
    if pool.res.idps.contains_key(&name) {
        return Err(ApiError::new(
            "DuplicateProviderException",
            format!("A provider with the name {name} already exists in this user pool."),
        ));
    }
    check_identifiers_free(pool, &name, &identifiers)?;
    let s = Stored {
        body,
        created: now,
        modified: now,
    };
    let out = idp_json(&pool.id, &s);
    pool.res.idps.insert(name, s);
    Ok(json!({ "IdentityProvider": out }))
}

/// An IdP identifier names one provider of the pool.
fn check_identifiers_free(
    pool: &crate::state::Pool,
    name: &str,
    identifiers: &[String],
) -> ApiResult<()> {
    for (other, s) in &pool.res.idps {
        if other == name {
            continue;
        }
        let taken = s
            .body
            .get("IdpIdentifiers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find(|i| identifiers.iter().any(|x| x == i));
        if let Some(i) = taken {
            return Err(ApiError::new(
                "DuplicateProviderException",
                format!("The identifier {i} is already used by provider {other}."),
            ));
        }
    }
    Ok(())
}

pub(crate) fn describe_identity_provider(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str("ProviderName")?;
    let pool = st.pool(b.str("UserPoolId")?)?;
    let s = pool.res.idps.get(name).ok_or_else(|| idp_missing(name))?;
    Ok(json!({ "IdentityProvider": idp_json(&pool.id, s) }))
}

pub(crate) fn get_identity_provider_by_identifier(st: &mut State, b: &Body) -> ApiResult<Value> {
    let ident = b.str("IdpIdentifier")?;
    let pool = st.pool(b.str("UserPoolId")?)?;
    let s = pool
        .res
        .idps
        .values()
        .find(|s| {
            s.body
                .get("IdpIdentifiers")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(ident)))
        })
        .ok_or_else(|| {
            not_found(format!(
                "Identity provider with identifier {ident} does not exist."
            ))
        })?;
    Ok(json!({ "IdentityProvider": idp_json(&pool.id, s) }))
}

/// `UpdateIdentityProvider` replaces the members the request carries; AWS's defaults are
/// added again to what results, so a replaced mapping keeps its `username` entry.
pub(crate) fn update_identity_provider(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str("ProviderName")?.to_string();
    let update = members(
        b,
        &["ProviderDetails", "AttributeMapping", "IdpIdentifiers"],
    );
    let identifiers = b.opt_str_list("IdpIdentifiers")?;
    let now = st.now_f();
    let pool = st.pool_mut(b.str("UserPoolId")?)?;
    if !pool.res.idps.contains_key(&name) {
        return Err(idp_missing(&name));
    }
    if let Some(ids) = &identifiers {
        check_identifiers_free(pool, &name, ids)?;
    }
    let pool_id = pool.id.clone();
    let s = pool
        .res
        .idps
        .get_mut(&name)
        .ok_or_else(|| idp_missing(&name))?;
    let mut body = s.body.clone();
    body.extend(update);
    normalise_idp(&mut body)?;
    s.body = body;
    s.modified = now;
    Ok(json!({ "IdentityProvider": idp_json(&pool_id, s) }))
}

pub(crate) fn delete_identity_provider(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str("ProviderName")?;
    let pool = st.pool_mut(b.str("UserPoolId")?)?;
    pool.res
        .idps
        .remove(name)
        .ok_or_else(|| idp_missing(name))?;
    Ok(json!({}))
}

pub(crate) fn list_identity_providers(st: &mut State, b: &Body) -> ApiResult<Value> {
    let limit = page::limit_up_to_60(b, "MaxResults")?;
    let pool = st.pool(b.str("UserPoolId")?)?;
    let items = pool.res.idps.iter().map(|(k, s)| {
        (
            k.clone(),
            json!({"ProviderName": k, "ProviderType": s.body.get("ProviderType"),
                   "LastModifiedDate": s.modified, "CreationDate": s.created}),
        )
    });
    let scope = format!("ListIdentityProviders\0{}", pool.id);
    let (list, next) = page::page(st, &scope, b.opt_str("NextToken")?, limit, items)?;
    Ok(with_next(json!({ "Providers": list }), "NextToken", next))
}

// ---------------------------------------------------------------------------------------
// Domains

/// The CloudFront distribution a domain's description names (a stable fake per domain).
fn cloudfront(domain: &str) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(domain.as_bytes());
    let id: String = h[..7].iter().map(|b| format!("{b:02x}")).collect();
    format!("d{id}.cloudfront.net")
}

fn domain_answer(domain: &str, r: &DomainRecord) -> Value {
    let mut out = json!({ "ManagedLoginVersion": r.managed_login_version });
    if r.custom {
        out["CloudFrontDomain"] = json!(cloudfront(domain));
    }
    out
}

fn managed_login_version(b: &Body) -> ApiResult<Option<i64>> {
    let v = b.opt_i64("ManagedLoginVersion")?;
    if let Some(n) = v
        && !(1..=2).contains(&n)
    {
        return Err(invalid_param(format!(
            "Invalid ManagedLoginVersion {n}: expected 1 (classic hosted UI) or 2 (managed login)"
        )));
    }
    Ok(v)
}

fn certificate_arn(b: &Body) -> ApiResult<Option<String>> {
    Ok(match b.opt_obj("CustomDomainConfig")? {
        Some(c) => Some(c.str("CertificateArn")?.to_string()),
        None => None,
    })
}

pub(crate) fn create_user_pool_domain(st: &mut State, b: &Body) -> ApiResult<Value> {
    let domain = b.str("Domain")?.to_string();
    let version = managed_login_version(b)?.unwrap_or(1);
    let cert = certificate_arn(b)?;
    let custom = cert.is_some();
    // Validation lets a fully qualified name through for custom domains; a prefix domain is
    // one DNS label, refused with AWS's wording otherwise.
    if !custom && domain.contains('.') {
        return Err(invalid_param(
            "The domain name contains an invalid character. Domain names can only contain \
             lower-case letters, numbers, and hyphens. Please enter a different name that \
             follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$",
        ));
    }
    // AWS keeps prefixes that name it for itself: "Domain cannot contain reserved word: aws"
    // (the same for amazon and cognito). A custom domain is the owner's own name.
    if !custom
        && let Some(word) = ["aws", "amazon", "cognito"]
            .into_iter()
            .find(|w| domain.contains(w))
    {
        return Err(invalid_param(format!(
            "Domain cannot contain reserved word: {word}"
        )));
    }
    let pool_id = b.str("UserPoolId")?.to_string();
    let pool = st.pool(&pool_id)?;
    if custom && pool.res.custom_domain.is_some() || !custom && pool.res.domain.is_some() {
        return Err(invalid_param(format!(
            "User pool {pool_id} already has a domain configured."
        )));
    }
    if st.domains().contains_key(&domain) {
        return Err(invalid_param(
            "Domain already associated with another user pool.",
        ));
    }
    let r = DomainRecord {
        pool_id: pool_id.clone(),
        custom,
        managed_login_version: version,
        certificate_arn: cert,
    };
    let out = domain_answer(&domain, &r);
    st.domains_mut().insert(domain.clone(), r);
    let pool = st.pool_mut(&pool_id)?;
    if custom {
        pool.res.custom_domain = Some(domain);
    } else {
        pool.res.domain = Some(domain);
    }
    Ok(out)
}

/// `DescribeUserPoolDomain` answers an empty description for a domain nobody owns, as AWS
/// does.
pub(crate) fn describe_user_pool_domain(st: &mut State, b: &Body) -> ApiResult<Value> {
    let domain = b.str("Domain")?;
    let Some(r) = st.domains().get(domain) else {
        return Ok(json!({ "DomainDescription": {} }));
    };
    let region = r.pool_id.split('_').next().unwrap_or("us-east-1");
    let mut d = json!({
        "UserPoolId": r.pool_id,
        "AWSAccountId": "000000000000",
        "Domain": domain,
        "CloudFrontDistribution": cloudfront(domain),
        "Version": "20250101",
        "Status": "ACTIVE",
        "ManagedLoginVersion": r.managed_login_version,
    });
    if let Some(c) = &r.certificate_arn {
        d["CustomDomainConfig"] = json!({ "CertificateArn": c });
    } else {
        d["S3Bucket"] = json!(format!("aws-cognito-prod-{region}-assets"));
    }
    Ok(json!({ "DomainDescription": d }))
}

fn owned_domain<'a>(st: &'a mut State, b: &Body) -> ApiResult<(String, &'a mut DomainRecord)> {
    let domain = b.str("Domain")?.to_string();
    let pool_id = b.str("UserPoolId")?;
    st.pool(pool_id)?;
    match st.domains_mut().get_mut(&domain) {
        Some(r) if r.pool_id == pool_id => Ok((domain, r)),
        _ => Err(not_found(format!(
            "User pool domain {domain} does not exist in user pool {pool_id}."
        ))),
    }
}

pub(crate) fn update_user_pool_domain(st: &mut State, b: &Body) -> ApiResult<Value> {
    let version = managed_login_version(b)?;
    let cert = certificate_arn(b)?;
    let (domain, r) = owned_domain(st, b)?;
    if let Some(v) = version {
        r.managed_login_version = v;
    }
    if let Some(c) = cert {
        if !r.custom {
            return Err(invalid_param(
                "CustomDomainConfig applies to custom domains only.",
            ));
        }
        r.certificate_arn = Some(c);
    }
    Ok(domain_answer(&domain, r))
}

pub(crate) fn delete_user_pool_domain(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (domain, r) = owned_domain(st, b)?;
    let (pool_id, custom) = (r.pool_id.clone(), r.custom);
    st.domains_mut().remove(&domain);
    let pool = st.pool_mut(&pool_id)?;
    if custom {
        pool.res.custom_domain = None;
    } else {
        pool.res.domain = None;
    }
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------------
// User import

/// The columns of a user-import CSV file: AWS's standard columns, then the pool's custom
/// attributes.
pub(crate) fn get_csv_header(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool = st.pool(b.str("UserPoolId")?)?;
    let mut header: Vec<String> = [
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "email",
        "email_verified",
        "gender",
        "birthdate",
        "zoneinfo",
        "locale",
        "phone_number",
        "phone_number_verified",
        "address",
        "updated_at",
        "cognito:mfa_enabled",
        "cognito:username",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let schema = pool.schema.describe();
    for name in schema
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("Name").and_then(Value::as_str))
        .filter(|n| !crate::schema::is_standard(n))
    {
        header.push(name.to_string());
    }
    Ok(json!({ "UserPoolId": pool.id, "CSVHeader": header }))
}

// ---------------------------------------------------------------------------------------
// Signing certificate

/// `GetSigningCertificate`: a self-signed certificate (base64 DER) of the pool's ID-token
/// key, the key a SAML identity provider would check the pool's requests against.
pub(crate) fn get_signing_certificate(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool = st.pool(b.str("UserPoolId")?)?;
    let keys = crate::tokens::keys(&pool.keys).map_err(crate::api::internal)?;
    let der = keys
        .id
        .certificate(&pool.id, pool.created as u64)
        .map_err(crate::api::internal)?;
    use base64::Engine;
    Ok(json!({
        "Certificate": base64::engine::general_purpose::STANDARD.encode(der)
    }))
}
