"""Tests of the Tencent IoT Explorer API client against the local cloud simulator."""
