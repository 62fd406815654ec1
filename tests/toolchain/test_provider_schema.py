"""Reading schema facts from the generated provider bindings (xacct/provider_schema.py)."""

from __future__ import annotations

import pytest

from xacct.provider_schema import parse_module

pytestmark = pytest.mark.unit

# The shape `@cdktn/provider-aws` generates for each resource (trimmed to what is read).
GENERATED = '''
function exampleThingSettingsToTerraform(struct) {
    if (!cdktn.canInspect(struct) || cdktn.Tokenization.isResolvable(struct)) {
        return struct;
    }
    return {
        mode: cdktn.stringToTerraform(struct.mode),
    };
}
class ExampleThingSettingsOutputReference extends cdktn.ComplexObject {
    get mode() {
        return this.getStringAttribute('mode');
    }
    get resolvedMode() {
        return this.getStringAttribute('resolved_mode');
    }
}
class ExampleThingStatusOutputReference extends cdktn.ComplexObject {
    get state() {
        return this.getStringAttribute('state');
    }
}
class ExampleThingStatusList extends cdktn.ComplexList {
}
class ExampleThing extends cdktn.TerraformResource {
    static tfResourceType = "aws_example_thing";
    get arn() {
        return this.getStringAttribute('arn');
    }
    _settings = new ExampleThingSettingsOutputReference(this, "settings");
    _status = new ExampleThingStatusList(this, "status", false);
    synthesizeAttributes() {
        return {
            name: cdktn.stringToTerraform(this._name),
            tags: cdktn.hashMapper(cdktn.stringToTerraform)(this._tags),
            settings: exampleThingSettingsToTerraform(this._settings.internalValue),
        };
    }
}
'''


def test_arguments_blocks_and_computed_attributes_are_read():
    assert parse_module(GENERATED) == ("aws_example_thing", "resource", {
        "arguments": ["name", "tags"],
        "attributes": ["arn"],
        "blocks": {
            "settings": {"arguments": ["mode"], "attributes": ["resolved_mode"], "blocks": {}},
            "status": {"arguments": [], "attributes": ["state"], "blocks": {}},
        },
    })


def test_data_sources_and_files_without_a_type():
    data = GENERATED.replace("cdktn.TerraformResource", "cdktn.TerraformDataSource")
    assert parse_module(data)[:2] == ("aws_example_thing", "data")
    assert parse_module("class Helper extends cdktn.ComplexObject {\n}\n") is None
