"""The selectors the fake Kubernetes API server (fake_kube_api.py) filters its lists and
watches with: label selectors in their whole grammar, field selectors on metadata.name and
metadata.namespace."""


def selector_terms(selector):
    """"a=b,c in (x,y),!d" -> ["a=b", "c in (x,y)", "!d"]: commas inside parentheses are part
    of a set."""
    terms, depth, current = [], 0, ""
    for c in selector or "":
        depth += c == "("
        depth -= c == ")"
        if c == "," and depth == 0:
            terms.append(current.strip())
            current = ""
        else:
            current += c
    terms.append(current.strip())
    return [t for t in terms if t]


def matches_term(labels, term):
    """One requirement of the label selector grammar (k8s.io/apimachinery labels.Parse):
    `key`, `!key`, `key=v`, `key==v`, `key!=v` (true when the key is absent), `key in (a,b)`,
    `key notin (a,b)` (true when the key is absent)."""
    for op in (" notin ", " in "):
        if op in term:
            key, values = term.split(op, 1)
            values = {v.strip() for v in values.strip().strip("()").split(",") if v.strip()}
            if op == " in ":
                return labels.get(key.strip()) in values
            return labels.get(key.strip()) not in values
    if term.startswith("!"):
        return term[1:].strip() not in labels
    if "!=" in term:
        key, value = term.split("!=", 1)
        return labels.get(key.strip()) != value.strip()
    if "=" in term:
        key, value = term.split("=", 1)
        return labels.get(key.strip()) == value.lstrip("=").strip()
    return term in labels


def matches_labels(obj, selector):
    labels = obj.get("metadata", {}).get("labels") or {}
    return all(matches_term(labels, term) for term in selector_terms(selector))


def matches_fields(obj, selector):
    meta = obj.get("metadata", {})
    for term in filter(None, (selector or "").split(",")):
        key, value = term.split("=", 1)
        if meta.get(key.replace("metadata.", "", 1)) != value:
            return False
    return True
