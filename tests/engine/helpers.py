"""Driving both sides in tests: the CRM through its services, Google through the emulator's real API."""
import requests

from wizard.crm import services
from wizard.extensions import db
from wizard.models.crm import Contact


def tag_id(account):
    return account.tag_mappings[0].tag_id


def crm_contact(account, first, last="", email=None, phone=None, tagged=True, **extra):
    data = {"first_name": first, "last_name": last, "emails": [{"value": email, "type": "work"}] if email else [],
            "phones": [{"value": phone, "type": "mobile"}] if phone else [], **extra}
    contact = services.create_contact(account.user_id, data)
    if tagged:
        services.tag_contacts(account.user_id, tag_id(account), [contact.id])
    return contact


def crm_contacts(account):
    """Live tagged contacts of the owner, as {display name: contact}."""
    db.session.expire_all()
    rows = db.session.scalars(db.select(Contact).where(Contact.owner_id == account.user_id,
                                                       Contact.deleted_at.is_(None)))
    return [c for c in rows if any(t.id == tag_id(account) for t in c.tags)]


class GoogleUser:
    """The Google side of a test account, through the People API with the account's own access token."""

    def __init__(self, emulator, account):
        self.emulator, self.email = emulator, account.email
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {account.access_token}"
        self.people = emulator.url + "/v1/"

    def connections(self):
        out, token = [], None
        while True:
            params = {"personFields": "names,emailAddresses,phoneNumbers,memberships,clientData,metadata",
                      "pageSize": 1000}
            if token:
                params["pageToken"] = token
            body = self.http.get(self.people + "people/me/connections", params=params, timeout=30).json()
            out += body.get("connections") or []
            token = body.get("nextPageToken")
            if not token:
                return out

    def group(self, name):
        groups = self.http.get(self.people + "contactGroups", params={"pageSize": 1000}, timeout=30).json()
        return next((g for g in groups.get("contactGroups", []) if g.get("name") == name), None)

    def create_group(self, name="CRM contacts"):
        response = self.http.post(self.people + "contactGroups", json={"contactGroup": {"name": name}}, timeout=30)
        response.raise_for_status()
        return response.json()

    def labelled(self, label="CRM contacts"):
        group = self.group(label)
        if group is None:
            return []
        name = group["resourceName"]
        return [p for p in self.connections()
                if any((m.get("contactGroupMembership") or {}).get("contactGroupResourceName") == name
                       for m in p.get("memberships") or [])]

    def create(self, given, family="", email=None, label="CRM contacts"):
        person = {"names": [{"givenName": given, "familyName": family}]}
        if email:
            person["emailAddresses"] = [{"value": email}]
        group = self.group(label)
        if group is not None:
            person["memberships"] = [{"contactGroupMembership": {"contactGroupResourceName": group["resourceName"]}}]
        response = self.http.post(self.people + "people:createContact", json=person, timeout=30)
        response.raise_for_status()
        return response.json()

    def update_name(self, person, given):
        current = self.http.get(self.people + person["resourceName"],
                                params={"personFields": "names,metadata"}, timeout=30).json()
        body = {"etag": current["etag"], "names": [{"givenName": given,
                                                    "familyName": current["names"][0].get("familyName", "")}]}
        response = self.http.patch(self.people + person["resourceName"] + ":updateContact",
                                   params={"updatePersonFields": "names"}, json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def delete(self, person):
        self.http.delete(self.people + person["resourceName"] + ":deleteContact", timeout=30).raise_for_status()


def names(people):
    return sorted(" ".join(filter(None, [(p.get("names") or [{}])[0].get("givenName"),
                                         (p.get("names") or [{}])[0].get("familyName")])) for p in people)
