# yscalar-pyyaml.py VECTORS - what PyYAML's SafeLoader makes of each
# plain scalar in VECTORS (one hex-encoded UTF-8 text a line): one line
# "TAG|VALUE" each, as test-yscalar.c prints its own resolver's answer.
# TAG is the implicit resolver's tag (other: merge, value, yaml), VALUE
# the type and Python str() of the constructed value, or "error" when
# the constructor raises.
import datetime
import sys

import yaml

TAGS = {
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:timestamp": "timestamp",
    "tag:yaml.org,2002:str": "str",
}

loader = yaml.SafeLoader("")
with open(sys.argv[1], encoding="ascii") as f:
    for line in f:
        text = bytes.fromhex(line.strip()).decode("utf-8")
        tag = loader.resolve(yaml.ScalarNode, text, (True, False))
        try:
            v = loader.construct_object(yaml.ScalarNode(tag, text))
            str(v)  # Python refuses str() of an int over 4300 digits
        except Exception:
            v = Exception
        if v is Exception:
            val = "error"
        elif v is None:
            val = "null"
        elif isinstance(v, bool):
            val = "bool " + str(v)
        elif isinstance(v, int):
            val = "int " + str(v)
        elif isinstance(v, float):
            val = "float " + repr(v)
        elif isinstance(v, datetime.date):
            val = "timestamp " + str(v)
        elif isinstance(v, str) and v == text:
            val = "str"
        else:
            val = "unexpected " + repr(v)
        print(TAGS.get(tag, "other") + "|" + val)
